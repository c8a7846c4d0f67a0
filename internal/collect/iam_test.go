package collect

import (
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

// A realistic report: the root row with its not_supported cells, a console
// user who never signed in, a key-only user with a used and an unused key.
const sampleReport = `user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111111111111:root,2019-03-01T10:00:00+00:00,not_supported,2026-10-30T08:15:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::111111111111:user/alice,2026-01-05T09:00:00+00:00,true,no_information,2026-01-05T09:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
ci-deploy,arn:aws:iam::111111111111:user/ci/ci-deploy,2025-02-10T12:00:00+00:00,false,N/A,N/A,N/A,false,true,2025-02-10T12:00:00+00:00,2026-11-20T03:00:00+00:00,eu-west-1,s3,true,2026-06-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A
`

func TestParseCredentialReport(t *testing.T) {
	rows, err := parseCredentialReport([]byte(sampleReport))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows = %d, want 3", len(rows))
	}
	root, alice, ci := rows[0], rows[1], rows[2]
	if root.User != snapshot.RootUser || root.PasswordEnabled || root.PasswordLastChanged != nil || !root.MFAActive ||
		root.PasswordLastUsed == nil || !root.PasswordLastUsed.Equal(time.Date(2026, 10, 30, 8, 15, 0, 0, time.UTC)) ||
		root.AccessKeys[0].Exists() || root.AccessKeys[1].Exists() {
		t.Errorf("root = %+v", root)
	}
	if !alice.PasswordEnabled || alice.PasswordLastUsed != nil || alice.PasswordLastChanged == nil || alice.MFAActive || alice.AccessKeys[0].Active {
		t.Errorf("alice = %+v", alice)
	}
	k1, k2 := ci.AccessKeys[0], ci.AccessKeys[1]
	if ci.Arn != "arn:aws:iam::111111111111:user/ci/ci-deploy" || !k1.Active || k1.LastUsed == nil || k1.Rotated == nil ||
		!k2.Active || k2.LastUsed != nil || k2.Rotated == nil || !k2.Rotated.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ci-deploy = %+v / %+v", k1, k2)
	}
}

func TestParseCredentialReportFindsColumnsByName(t *testing.T) {
	rows, err := parseCredentialReport([]byte("mfa_active,arn,user,new_column\ntrue,arn:aws:iam::1:user/x,x,whatever\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].User != "x" || !rows[0].MFAActive || rows[0].PasswordEnabled {
		t.Fatalf("rows = %+v", rows)
	}
}

func TestParseCredentialReportRejectsWhatItCannotRead(t *testing.T) {
	header := "user,arn,password_enabled,password_last_used\n"
	for name, in := range map[string]string{
		"empty":          "",
		"no arn column":  "user,password_enabled\nx,true\n",
		"bad boolean":    header + "x,arn:x,yes,N/A\n",
		"bad date":       header + "x,arn:x,true,30/10/2026\n",
		"ragged row":     header + "x,arn:x,true\n",
		"empty user":     header + ",arn:x,true,N/A\n",
		"unclosed quote": header + "\"x,arn:x,true,N/A\n",
	} {
		if rows, err := parseCredentialReport([]byte(in)); err == nil {
			t.Errorf("%s: no error, rows %+v", name, rows)
		}
	}
}

func FuzzParseCredentialReport(f *testing.F) {
	f.Add([]byte(sampleReport))
	f.Add([]byte("user,arn\n<root_account>,arn:aws:iam::1:root\n"))
	f.Add([]byte("user,arn,access_key_2_last_used_date\nx,y,2026-01-01T00:00:00Z\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := parseCredentialReport(b)
		if err != nil {
			return
		}
		// Every accepted row is a CSV record after the header, with a user.
		recs, cerr := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if cerr != nil || len(recs) != len(rows)+1 {
			t.Fatalf("accepted %d rows of input with %d records (%v)", len(rows), len(recs), cerr)
		}
		for _, r := range rows {
			if r.User == "" {
				t.Fatal("accepted a row without a user")
			}
		}
	})
}

// fakeIAM answers the collector's IAM reads from canned data, or fails
// every call with err.
type fakeIAM struct {
	err        error
	pending    int32 // GetCredentialReport answers "in progress" this many times
	report     string
	authPages  []*iam.GetAccountAuthorizationDetailsOutput
	reportGets atomic.Int32
}

func (f *fakeIAM) GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return nil, &iamtypes.NoSuchEntityException{Message: aws.String("The Password Policy with domain name 111111111111 cannot be found.")}
}

func (f *fakeIAM) GetAccountSummary(context.Context, *iam.GetAccountSummaryInput, ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &iam.GetAccountSummaryOutput{SummaryMap: map[string]int32{"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}}, nil
}

func (f *fakeIAM) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &iam.GenerateCredentialReportOutput{State: iamtypes.ReportStateTypeStarted}, nil
}

func (f *fakeIAM) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.reportGets.Add(1) <= f.pending {
		return nil, &iamtypes.CredentialReportNotReadyException{Message: aws.String("Report is in progress")}
	}
	return &iam.GetCredentialReportOutput{Content: []byte(f.report)}, nil
}

func (f *fakeIAM) GetAccountAuthorizationDetails(_ context.Context, in *iam.GetAccountAuthorizationDetailsInput, _ ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	page := 0
	if in.Marker != nil {
		page = int(aws.ToString(in.Marker)[0] - '0')
	}
	return f.authPages[page], nil
}

func (f *fakeIAM) ListSAMLProviders(context.Context, *iam.ListSAMLProvidersInput, ...func(*iam.Options)) (*iam.ListSAMLProvidersOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &iam.ListSAMLProvidersOutput{SAMLProviderList: []iamtypes.SAMLProviderListEntry{{Arn: aws.String("arn:aws:iam::111111111111:saml-provider/okta")}}}, nil
}

func (f *fakeIAM) ListOpenIDConnectProviders(context.Context, *iam.ListOpenIDConnectProvidersInput, ...func(*iam.Options)) (*iam.ListOpenIDConnectProvidersOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &iam.ListOpenIDConnectProvidersOutput{}, nil
}

func (f *fakeIAM) ListVirtualMFADevices(context.Context, *iam.ListVirtualMFADevicesInput, ...func(*iam.Options)) (*iam.ListVirtualMFADevicesOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &iam.ListVirtualMFADevicesOutput{VirtualMFADevices: []iamtypes.VirtualMFADevice{{
		SerialNumber: aws.String("arn:aws:iam::111111111111:mfa/alice"), User: &iamtypes.User{Arn: aws.String("arn:aws:iam::111111111111:user/alice")},
	}}}, nil
}

type fakeIdentityCenter struct{ err error }

func (f fakeIdentityCenter) ListInstances(context.Context, *ssoadmin.ListInstancesInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListInstancesOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &ssoadmin.ListInstancesOutput{}, nil
}

// fastReportWait shortens the credential report polling for the test.
func fastReportWait(t *testing.T, total time.Duration) {
	saved := reportWait
	reportWait.first, reportWait.max, reportWait.total = time.Millisecond, 2*time.Millisecond, total
	t.Cleanup(func() { reportWait = saved })
}

func TestIAMCollectorReadsEverything(t *testing.T) {
	fastReportWait(t, time.Minute)
	enc := func(doc string) *string { return aws.String(url.PathEscape(doc)) }
	admin := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}`
	used := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	api := &fakeIAM{pending: 2, report: sampleReport, authPages: []*iam.GetAccountAuthorizationDetailsOutput{
		{IsTruncated: true, Marker: aws.String("1"), UserDetailList: []iamtypes.UserDetail{{
			UserName: aws.String("alice"), Arn: aws.String("arn:aws:iam::111111111111:user/alice"), Path: aws.String("/"),
			GroupList:      []string{"devs"},
			UserPolicyList: []iamtypes.PolicyDetail{{PolicyName: aws.String("own"), PolicyDocument: enc(admin)}},
		}}},
		{RoleDetailList: []iamtypes.RoleDetail{{
			RoleName: aws.String("audit"), Arn: aws.String("arn:aws:iam::111111111111:role/audit"), Path: aws.String("/"),
			AssumeRolePolicyDocument: enc(trust), RoleLastUsed: &iamtypes.RoleLastUsed{LastUsedDate: &used},
			AttachedManagedPolicies: []iamtypes.AttachedPolicy{{PolicyArn: aws.String("arn:aws:iam::aws:policy/SecurityAudit")}},
		}}, Policies: []iamtypes.ManagedPolicyDetail{{
			PolicyName: aws.String("everything"), Arn: aws.String("arn:aws:iam::111111111111:policy/everything"), AttachmentCount: aws.Int32(2),
			PolicyVersionList: []iamtypes.PolicyVersion{
				{VersionId: aws.String("v1"), Document: enc(`{"Statement":[]}`)},
				{VersionId: aws.String("v2"), Document: enc(admin), IsDefaultVersion: true},
			},
		}}},
	}}
	task, snap := fakeTask(t, "iam", "")
	collectIAM(context.Background(), task, api, fakeIdentityCenter{})
	if errs := snap().Errors; len(errs) > 0 {
		t.Fatalf("errors = %+v", errs)
	}
	s := task.Account.Global.IAM
	if s.PasswordPolicy != nil || s.Summary["AccountMFAEnabled"] != 1 || len(s.SAMLProviders) != 1 || s.IdentityCenter != nil {
		t.Errorf("iam = %+v", s)
	}
	if got := api.reportGets.Load(); got != 3 || len(s.Credentials) != 3 || s.Root() == nil {
		t.Errorf("credential report: %d polls, %d rows", got, len(s.Credentials))
	}
	if len(s.VirtualMFA) != 1 || s.VirtualMFA[0].User != "arn:aws:iam::111111111111:user/alice" {
		t.Errorf("virtual MFA = %+v", s.VirtualMFA)
	}
	if len(s.Users) != 1 || s.Users[0].InlinePolicies["own"] != admin || s.Users[0].Groups[0] != "devs" {
		t.Errorf("users = %+v", s.Users)
	}
	if len(s.Roles) != 1 || s.Roles[0].TrustPolicy != trust || !s.Roles[0].LastUsed.Equal(used) || s.Roles[0].AttachedPolicies[0] != "arn:aws:iam::aws:policy/SecurityAudit" {
		t.Errorf("roles = %+v", s.Roles)
	}
	if len(s.Policies) != 1 || s.Policies[0].Document != admin || s.Policies[0].AttachmentCount != 2 {
		t.Errorf("policies = %+v", s.Policies)
	}
}

func TestIAMCollectorGivesUpOnAReportThatNeverComes(t *testing.T) {
	fastReportWait(t, 20*time.Millisecond)
	task, snap := fakeTask(t, "iam", "")
	readCredentialReport(context.Background(), task, &fakeIAM{pending: 1 << 30}, &snapshot.IAM{})
	errs := snap().Errors
	if len(errs) != 1 || errs[0].Operation != "GetCredentialReport" || !strings.Contains(errs[0].Message, "not ready after 20ms (last answer: Report is in progress)") {
		t.Fatalf("errors = %+v", errs)
	}
}

// iamReads are every read the IAM collector makes; the controls' tests
// show that each one failing turns the checks that need it into ERROR.
var iamReads = []string{"iam:GetAccountPasswordPolicy", "iam:GetAccountSummary", "iam:GenerateCredentialReport",
	"iam:GetAccountAuthorizationDetails", "iam:ListSAMLProviders", "iam:ListOpenIDConnectProviders", "iam:ListVirtualMFADevices", "sso:ListInstances"}

func TestIAMCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "iam", "")
	collectIAM(context.Background(), task, &fakeIAM{err: errAccessDenied}, fakeIdentityCenter{err: errAccessDenied})
	ops := map[string]int{}
	for _, e := range snap().Errors {
		if e.Class != "access_denied" {
			t.Errorf("%s:%s class = %s", e.Service, e.Operation, e.Class)
		}
		ops[e.Service+":"+e.Operation]++
	}
	for _, op := range iamReads {
		if ops[op] != 1 {
			t.Errorf("%s recorded %d times, want once (all: %v)", op, ops[op], ops)
		}
	}
	if len(ops) != len(iamReads) {
		t.Errorf("recorded %v, want exactly %v", ops, iamReads)
	}
	s := task.Account.Global.IAM
	if s == nil || s.Credentials != nil || s.Users != nil || s.Roles != nil || s.IdentityCenter != nil {
		t.Fatalf("denied reads left data: %+v", s)
	}
}
