package collect

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "iam", Run: func(ctx context.Context, t *Task) {
		collectIAM(ctx, t, iam.NewFromConfig(t.Config), ssoadmin.NewFromConfig(t.Config))
	}})
}

// iamAPI is the read-only part of IAM we call. GenerateCredentialReport
// only asks IAM to refresh the report it keeps; it changes no configuration.
type iamAPI interface {
	GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	GetAccountSummary(context.Context, *iam.GetAccountSummaryInput, ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
	GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	GetAccountAuthorizationDetails(context.Context, *iam.GetAccountAuthorizationDetailsInput, ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
	ListSAMLProviders(context.Context, *iam.ListSAMLProvidersInput, ...func(*iam.Options)) (*iam.ListSAMLProvidersOutput, error)
	ListOpenIDConnectProviders(context.Context, *iam.ListOpenIDConnectProvidersInput, ...func(*iam.Options)) (*iam.ListOpenIDConnectProvidersOutput, error)
	ListVirtualMFADevices(context.Context, *iam.ListVirtualMFADevicesInput, ...func(*iam.Options)) (*iam.ListVirtualMFADevicesOutput, error)
}

// identityCenterAPI is the one IAM Identity Center read we make.
type identityCenterAPI interface {
	ListInstances(context.Context, *ssoadmin.ListInstancesInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListInstancesOutput, error)
}

// iamMaxItems is the largest page IAM serves: fewer round trips.
const iamMaxItems = 1000

// reportWait paces the wait for a credential report being generated: AWS
// takes seconds for small accounts and longer for large ones.
var reportWait = struct{ first, max, total time.Duration }{first: 500 * time.Millisecond, max: 5 * time.Second, total: 3 * time.Minute}

// collectIAM makes the account's independent IAM reads in parallel, so the
// wait for the credential report overlaps the others.
func collectIAM(ctx context.Context, t *Task, api iamAPI, sso identityCenterAPI) {
	s := &snapshot.IAM{}
	reads := []func(context.Context){
		func(ctx context.Context) { readPasswordPolicy(ctx, t, api, s) },
		func(ctx context.Context) {
			out, err := api.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
			if !t.Failed("GetAccountSummary", err) {
				s.Summary = out.SummaryMap
			}
		},
		func(ctx context.Context) { readCredentialReport(ctx, t, api, s) },
		func(ctx context.Context) { readAuthorizationDetails(ctx, t, api, s) },
		func(ctx context.Context) {
			out, err := api.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
			if !t.Failed("ListSAMLProviders", err) {
				for _, p := range out.SAMLProviderList {
					s.SAMLProviders = append(s.SAMLProviders, aws.ToString(p.Arn))
				}
			}
		},
		func(ctx context.Context) {
			out, err := api.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
			if !t.Failed("ListOpenIDConnectProviders", err) {
				for _, p := range out.OpenIDConnectProviderList {
					s.OIDCProviders = append(s.OIDCProviders, aws.ToString(p.Arn))
				}
			}
		},
		func(ctx context.Context) { readVirtualMFA(ctx, t, api, s) },
		func(ctx context.Context) { readIdentityCenter(ctx, t, sso, s) },
	}
	t.Fan(ctx, len(reads), func(ctx context.Context, i int) { reads[i](ctx) })
	t.Account.Global.IAM = s
}

func readPasswordPolicy(ctx context.Context, t *Task, api iamAPI, s *snapshot.IAM) {
	out, err := api.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if awsx.IsNotFound(err) || t.Failed("GetAccountPasswordPolicy", err) {
		return
	}
	p := out.PasswordPolicy
	s.PasswordPolicy = &snapshot.PasswordPolicy{
		MinimumLength: aws.ToInt32(p.MinimumPasswordLength), RequireSymbols: p.RequireSymbols,
		RequireNumbers: p.RequireNumbers, RequireUppercase: p.RequireUppercaseCharacters,
		RequireLowercase: p.RequireLowercaseCharacters, PasswordReusePrevention: aws.ToInt32(p.PasswordReusePrevention),
		MaxPasswordAge: aws.ToInt32(p.MaxPasswordAge), AllowUsersToChangePassword: p.AllowUsersToChangePassword,
		HardExpiry: aws.ToBool(p.HardExpiry),
	}
}

// readCredentialReport asks for a fresh report (IAM reuses one younger than
// four hours) and polls until it is ready.
func readCredentialReport(ctx context.Context, t *Task, api iamAPI, s *snapshot.IAM) {
	if _, err := api.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}); t.Failed("GenerateCredentialReport", err) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, reportWait.total)
	defer cancel()
	for delay := reportWait.first; ; delay = min(2*delay, reportWait.max) {
		out, err := api.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
		if err == nil {
			rows, err := parseCredentialReport(out.Content)
			if !t.Failed("GetCredentialReport", err) {
				s.Credentials = rows
			}
			return
		}
		if !reportPending(err) {
			t.Failed("GetCredentialReport", err)
			return
		}
		select {
		case <-ctx.Done():
			// Not wrapped: the record must say we gave up, not repeat IAM's "in progress".
			t.Failed("GetCredentialReport", fmt.Errorf("credential report not ready after %s (last answer: %s)", reportWait.total, awsx.Message(err)))
			return
		case <-time.After(delay):
		}
	}
}

// reportPending reports whether GetCredentialReport failed only because the
// report being generated is not there yet.
func reportPending(err error) bool {
	var inProgress *iamtypes.CredentialReportNotReadyException
	var absent *iamtypes.CredentialReportNotPresentException
	return errors.As(err, &inProgress) || errors.As(err, &absent)
}

// readAuthorizationDetails reads users, groups, roles and customer-managed
// policies in one paginated bulk call. A failed page discards the whole
// read: a partial list would make checks pass on what they did not see.
func readAuthorizationDetails(ctx context.Context, t *Task, api iamAPI, s *snapshot.IAM) {
	var (
		users    []snapshot.User
		groups   []snapshot.Group
		roles    []snapshot.Role
		policies []snapshot.ManagedPolicy
	)
	p := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{
		MaxItems: aws.Int32(iamMaxItems),
		Filter:   []iamtypes.EntityType{iamtypes.EntityTypeUser, iamtypes.EntityTypeGroup, iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("GetAccountAuthorizationDetails", err) {
			return
		}
		for _, u := range page.UserDetailList {
			users = append(users, snapshot.User{
				Name: aws.ToString(u.UserName), Arn: aws.ToString(u.Arn), Path: aws.ToString(u.Path),
				Created: aws.ToTime(u.CreateDate), Groups: u.GroupList,
				InlinePolicies: inlinePolicies(u.UserPolicyList), AttachedPolicies: attachedArns(u.AttachedManagedPolicies),
				Tags: iamTags(u.Tags),
			})
		}
		for _, g := range page.GroupDetailList {
			groups = append(groups, snapshot.Group{
				Name: aws.ToString(g.GroupName), Arn: aws.ToString(g.Arn),
				AttachedPolicies: attachedArns(g.AttachedManagedPolicies), InlinePolicies: inlinePolicies(g.GroupPolicyList),
			})
		}
		for _, r := range page.RoleDetailList {
			role := snapshot.Role{
				Name: aws.ToString(r.RoleName), Arn: aws.ToString(r.Arn), Path: aws.ToString(r.Path),
				Created: aws.ToTime(r.CreateDate), TrustPolicy: decodeDocument(r.AssumeRolePolicyDocument),
				AttachedPolicies: attachedArns(r.AttachedManagedPolicies), InlinePolicies: inlinePolicies(r.RolePolicyList),
				Tags: iamTags(r.Tags),
			}
			if r.RoleLastUsed != nil {
				role.LastUsed = r.RoleLastUsed.LastUsedDate
			}
			roles = append(roles, role)
		}
		for _, mp := range page.Policies {
			pol := snapshot.ManagedPolicy{Name: aws.ToString(mp.PolicyName), Arn: aws.ToString(mp.Arn), AttachmentCount: aws.ToInt32(mp.AttachmentCount)}
			for _, v := range mp.PolicyVersionList {
				if v.IsDefaultVersion {
					pol.Document = decodeDocument(v.Document)
				}
			}
			policies = append(policies, pol)
		}
	}
	s.Users, s.Groups, s.Roles, s.Policies = users, groups, roles, policies
}

// decodeDocument undoes the RFC 3986 encoding IAM applies to policy
// documents. Emulators sometimes return them raw, which starts with '{'.
func decodeDocument(doc *string) string {
	d := aws.ToString(doc)
	if strings.HasPrefix(strings.TrimSpace(d), "{") {
		return d
	}
	if dec, err := url.PathUnescape(d); err == nil {
		return dec
	}
	return d
}

func inlinePolicies(list []iamtypes.PolicyDetail) map[string]string {
	if len(list) == 0 {
		return nil
	}
	m := make(map[string]string, len(list))
	for _, p := range list {
		m[aws.ToString(p.PolicyName)] = decodeDocument(p.PolicyDocument)
	}
	return m
}

func attachedArns(list []iamtypes.AttachedPolicy) []string {
	var out []string
	for _, p := range list {
		out = append(out, aws.ToString(p.PolicyArn))
	}
	return out
}

func iamTags(tags []iamtypes.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, tg := range tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func readVirtualMFA(ctx context.Context, t *Task, api iamAPI, s *snapshot.IAM) {
	var devices []snapshot.MFADevice
	p := iam.NewListVirtualMFADevicesPaginator(api, &iam.ListVirtualMFADevicesInput{
		AssignmentStatus: iamtypes.AssignmentStatusTypeAssigned, MaxItems: aws.Int32(iamMaxItems)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("ListVirtualMFADevices", err) {
			return
		}
		for _, d := range page.VirtualMFADevices {
			dev := snapshot.MFADevice{Serial: aws.ToString(d.SerialNumber)}
			if d.User != nil {
				dev.User = aws.ToString(d.User.Arn)
			}
			devices = append(devices, dev)
		}
	}
	s.VirtualMFA = devices
}

// readIdentityCenter lists IAM Identity Center instances in the home region;
// the organization's instance is visible from the management account and
// from its delegated administrator.
func readIdentityCenter(ctx context.Context, t *Task, api identityCenterAPI, s *snapshot.IAM) {
	var instances []snapshot.IdentityCenterInstance
	p := ssoadmin.NewListInstancesPaginator(api, &ssoadmin.ListInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("sso:ListInstances", err) {
			return
		}
		for _, in := range page.Instances {
			instances = append(instances, snapshot.IdentityCenterInstance{
				Arn: aws.ToString(in.InstanceArn), IdentityStoreID: aws.ToString(in.IdentityStoreId),
				OwnerAccountID: aws.ToString(in.OwnerAccountId), Status: string(in.Status),
			})
		}
	}
	s.IdentityCenter = instances
}
