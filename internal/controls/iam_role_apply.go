package controls

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// roleSpec is an IAM role apply creates (the After of "role"): who may
// assume it, the root principals of Trusted accounts or the AWS Service,
// and what it may do, through managed Policies and an Inline policy named
// after the role.
type roleSpec struct {
	Name    string   `json:"name"`
	Trusted []string `json:"trusted,omitempty"`
	Service string   `json:"service,omitempty"`
	// SourceAccount, with Service, trusts only the service's requests on
	// behalf of that account (confused-deputy protection).
	SourceAccount string         `json:"source_account,omitempty"`
	Policies      []string       `json:"policies,omitempty"`
	Inline        []iamStatement `json:"inline,omitempty"`
}

// roleOps are the ops of every control that creates roles.
var roleOps = map[string]catalog.Op{
	"role": decodedOp(func(ctx context.Context, cfg aws.Config, r roleSpec) error {
		return ensureRole(ctx, iam.NewFromConfig(cfg), partitionOf(cfg.Region), r)
	}),
}

// iamRoleARN is the ARN of role name in account (IAM is global; the
// region only gives the partition).
func iamRoleARN(region, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partitionOf(region), account, name)
}

// awsPolicyARN is the ARN of an AWS managed policy in the home partition.
func awsPolicyARN(s *catalog.Settings, name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", partitionOf(s.HomeRegion), name)
}

// planRole records the creation of role want, or the update of the role of
// that name that exists but does not serve (an earlier apply's, changed by hand).
func planRole(p *catalog.Planner, want roleSpec) {
	resource := iamRoleARN(p.Settings.HomeRegion, p.Account.AccountID, want.Name)
	i := slices.IndexFunc(p.Account.Global.IAM.Roles, func(r snapshot.Role) bool { return r.Name == want.Name })
	if i < 0 {
		p.Here().Create("role", resource, want)
		return
	}
	r := p.Account.Global.IAM.Roles[i]
	accounts, others, _ := trustedPrincipals(r.TrustPolicy)
	p.Here().Update("role", resource, roleSpec{Name: r.Name, Trusted: append(accounts, others...), Policies: r.AttachedPolicies}, want)
}

// planServiceRole records the creation of the role a service assumes, once
// per plan of a unit (the op adopts a role that exists: roles are not
// collected for the controls that need them), and returns its reference.
func planServiceRole(p *catalog.Planner, account string, r roleSpec) string {
	w := p.At(account, "")
	arn := iamRoleARN(p.Settings.HomeRegion, account, r.Name)
	if !planned(p, w.Ref(arn)) {
		w.Create("role", arn, r)
	}
	return w.Ref(arn)
}

// trust is the role's trust policy.
func (r roleSpec) trust(partition string) string {
	st := iamStatement{Effect: "Allow", Action: "sts:AssumeRole"}
	if r.Service != "" {
		st.Principal = servicePrincipal(r.Service)
		if r.SourceAccount != "" {
			st.Condition = iamCondition{"StringEquals": {"aws:SourceAccount": r.SourceAccount}}
		}
	} else {
		roots := make([]string, len(r.Trusted))
		for i, a := range r.Trusted {
			roots[i] = fmt.Sprintf("arn:%s:iam::%s:root", partition, a)
		}
		st.Principal = map[string][]string{"AWS": roots}
	}
	return iamDocument(st)
}

type roleWriter interface {
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	AttachRolePolicy(context.Context, *iam.AttachRolePolicyInput, ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
}

// ensureRole creates the role, or makes the trust of the one of its name
// exactly r's, then writes its inline policy and attaches its managed ones
// (either twice is a no-op in IAM). Policies already attached stay: apply
// never takes permissions away.
func ensureRole(ctx context.Context, c roleWriter, partition string, r roleSpec) error {
	name, trust := aws.String(r.Name), aws.String(r.trust(partition))
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust, Tags: managedTagList(iamTag)})
	if hasCode(err, "EntityAlreadyExists") {
		_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: trust})
	}
	if err != nil {
		return err
	}
	if len(r.Inline) > 0 {
		_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: name, PolicyName: name, PolicyDocument: aws.String(iamDocument(r.Inline...))})
		if err != nil {
			return notYet(err)
		}
	}
	for _, arn := range r.Policies {
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String(arn)}); err != nil {
			return notYet(err)
		}
	}
	return nil
}

func iamTag(k, v *string) iamtypes.Tag { return iamtypes.Tag{Key: k, Value: v} }
