package controls_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

const (
	adminDoc     = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	readDoc      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	notS3Doc     = `{"Version":"2012-10-17","Statement":[{"Sid":"AllButS3","Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}`
	powerUserDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}`
)

func trustDoc(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`
}

// iamSetup builds IAM state through the SDK, failing the test on any error.
type iamSetup struct {
	t   *testing.T
	ctx context.Context
	api *iam.Client
}

func (s iamSetup) do(what string, err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

func (s iamSetup) user(name string, console, mfa bool) {
	s.t.Helper()
	_, err := s.api.CreateUser(s.ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	s.do("create user "+name, err)
	if console {
		_, err = s.api.CreateLoginProfile(s.ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Correct-Horse-Battery-9")})
		s.do("login profile "+name, err)
	}
	if mfa {
		dev, err := s.api.CreateVirtualMFADevice(s.ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
		s.do("mfa device "+name, err)
		_, err = s.api.EnableMFADevice(s.ctx, &iam.EnableMFADeviceInput{UserName: aws.String(name), SerialNumber: dev.VirtualMFADevice.SerialNumber,
			AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
		s.do("enable mfa "+name, err)
	}
}

func (s iamSetup) accessKey(user string) aws.Credentials {
	s.t.Helper()
	out, err := s.api.CreateAccessKey(s.ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	s.do("access key "+user, err)
	return aws.Credentials{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey)}
}

func (s iamSetup) role(name, trust string, managed ...string) string {
	s.t.Helper()
	out, err := s.api.CreateRole(s.ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	s.do("create role "+name, err)
	for _, p := range managed {
		_, err = s.api.AttachRolePolicy(s.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(p)})
		s.do("attach "+p+" to "+name, err)
	}
	return aws.ToString(out.Role.Arn)
}

func (s iamSetup) policy(name, doc string) string {
	s.t.Helper()
	out, err := s.api.CreatePolicy(s.ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	s.do("create policy "+name, err)
	return aws.ToString(out.Policy.Arn)
}

const (
	motoAccount = "123456789012"
	userArn     = "arn:aws:iam::" + motoAccount + ":user/"
	roleArn     = "arn:aws:iam::" + motoAccount + ":role/"
	policyArn   = "arn:aws:iam::" + motoAccount + ":policy/"
)

var iamOpts = collect.Options{Regions: []string{"us-east-1"}, Services: []string{"iam"}}

func TestIAMEmptyAccount(t *testing.T) {
	moto.Start(t)
	res := audittest.Audit(t, audittest.Collect(t, iamOpts), catalog.Defaults(), iamIDs...)
	for _, c := range []struct {
		id     string
		status catalog.Status
		reason string
	}{
		{"iam.password-policy", catalog.StatusFail, "no password policy is set"},
		{"iam.console-users-mfa", catalog.StatusPass, "no IAM user has a console password"},
		{"iam.no-iam-users", catalog.StatusPass, "no IAM users"},
		{"iam.unused-credentials", catalog.StatusPass, "no IAM user has"},
		{"iam.access-keys-rotated", catalog.StatusPass, "no IAM user has an active access key"},
		{"iam.no-inline-or-user-policies", catalog.StatusPass, "no IAM users"},
		{"iam.no-full-admin-policies", catalog.StatusPass, "none of the 0 customer-managed"},
		{"iam.unused-roles", catalog.StatusPass, "no IAM roles"},
		{"iam.keys-in-identity-account", catalog.StatusPass, "no IAM user has an active access key"},
		{"iam.support-role", catalog.StatusFail, "no role has the AWSSupportAccess"},
		{"iam.audit-role", catalog.StatusFail, "no security account is designated"},
		// moto's credential report has no root row: the root checks say so
		// rather than pass on the emulator's hard-coded root state.
		{"iam.root-no-access-keys", catalog.StatusError, "no <root_account> row"},
		{"iam.root-not-used", catalog.StatusError, "no <root_account> row"},
		{"iam.root-mfa", catalog.StatusManual, "needs an attestation"},
		{"iam.root-hardware-mfa", catalog.StatusManual, "needs an attestation"},
	} {
		audittest.Expect(t, res, c.id, motoAccount, "", "", c.status, c.reason)
	}
}

var iamIDs = []string{
	"iam.root-mfa", "iam.root-hardware-mfa", "iam.root-no-access-keys", "iam.root-not-used", "iam.password-policy",
	"iam.console-users-mfa", "iam.no-iam-users", "iam.unused-credentials", "iam.access-keys-rotated",
	"iam.no-inline-or-user-policies", "iam.no-full-admin-policies", "iam.unused-roles", "iam.keys-in-identity-account",
	"iam.support-role", "iam.sso-or-federation", "iam.audit-role",
}

func TestIAMUsersRolesAndPolicies(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	s := iamSetup{t: t, ctx: ctx, api: iam.NewFromConfig(cfg)}

	_, err := s.api.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), RequireNumbers: true})
	s.do("weak password policy", err)
	s.user("alice", true, false)
	s.accessKey("alice")
	_, err = s.api.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own"), PolicyDocument: aws.String(readDoc)})
	s.do("alice inline policy", err)
	s.user("bob", true, true)
	_, err = s.api.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
	s.do("group", err)
	_, err = s.api.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("bob")})
	s.do("bob in group", err)
	_, err = s.api.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readDoc)})
	s.do("group policy", err)
	s.user("breakglass", true, true)
	s.user("carol", false, false)
	carol := s.accessKey("carol")

	s.policy("everything", adminDoc)
	s.policy("read-only-s3", readDoc)
	s.policy("all-but-s3", notS3Doc)
	s.policy("power-user", powerUserDoc)
	s.role("app", trustDoc(`{"Service":"ec2.amazonaws.com"}`))
	s.role("support", trustDoc(`{"AWS":"arn:aws:iam::`+motoAccount+`:root"}`), "arn:aws:iam::aws:policy/AWSSupportAccess")
	_, err = s.api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("god"), PolicyDocument: aws.String(adminDoc)})
	s.do("role inline admin", err)
	_, err = s.api.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("guardduty.amazonaws.com")})
	s.do("service-linked role", err)

	// carol uses her key, and assumes the support role: both leave a last use.
	carolCfg := cfg.Copy()
	carolCfg.Credentials = credentials.StaticCredentialsProvider{Value: carol}
	supportCfg := carolCfg.Copy()
	supportCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(carolCfg), roleArn+"support"))
	_, err = iam.NewFromConfig(supportCfg).ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	s.do("use the support role", err)

	settings := catalog.Defaults()
	settings.BreakGlassUsers = []string{"breakglass"}
	now := audittest.Collect(t, iamOpts)
	for _, e := range now.Errors {
		t.Errorf("unexpected read error: %+v", e)
	}
	res := audittest.Audit(t, now, settings, iamIDs...)
	audittest.Expect(t, res, "iam.password-policy", motoAccount, "", "", catalog.StatusFail,
		"minimum length is 8, not at least 14", "remembers 0 passwords, not 24", "uppercase letters are not required", "symbols are not required")
	audittest.Expect(t, res, "iam.console-users-mfa", motoAccount, "", userArn+"alice", catalog.StatusFail, "no MFA device")
	audittest.Expect(t, res, "iam.console-users-mfa", motoAccount, "", userArn+"bob", catalog.StatusPass)
	audittest.Expect(t, res, "iam.no-iam-users", motoAccount, "", userArn+"alice", catalog.StatusFail, "IAM user alice exists")
	audittest.Expect(t, res, "iam.no-iam-users", motoAccount, "", userArn+"breakglass", catalog.StatusPass, "break-glass")
	audittest.Expect(t, res, "iam.unused-credentials", motoAccount, "", userArn+"alice", catalog.StatusPass, "password and access key 1 used or issued within the last 45 days")
	audittest.Expect(t, res, "iam.access-keys-rotated", motoAccount, "", userArn+"carol", catalog.StatusPass, "access key 1 created")
	audittest.Expect(t, res, "iam.no-inline-or-user-policies", motoAccount, "", userArn+"alice", catalog.StatusFail, "inline own")
	audittest.Expect(t, res, "iam.no-inline-or-user-policies", motoAccount, "", userArn+"bob", catalog.StatusPass)
	audittest.Expect(t, res, "iam.no-full-admin-policies", motoAccount, "", policyArn+"everything", catalog.StatusFail, "statement 1 allows Action * on Resource *")
	audittest.Expect(t, res, "iam.no-full-admin-policies", motoAccount, "", policyArn+"all-but-s3", catalog.StatusFail, `statement "AllButS3" allows every action except s3:*`)
	audittest.Expect(t, res, "iam.no-full-admin-policies", motoAccount, "", policyArn+"read-only-s3", catalog.StatusPass)
	audittest.Expect(t, res, "iam.no-full-admin-policies", motoAccount, "", policyArn+"power-user", catalog.StatusPass)
	audittest.Expect(t, res, "iam.no-full-admin-policies", motoAccount, "", roleArn+"app", catalog.StatusFail, "role app: inline policy god")
	audittest.Expect(t, res, "iam.unused-roles", motoAccount, "", roleArn+"app", catalog.StatusPass, "grace period")
	audittest.Expect(t, res, "iam.keys-in-identity-account", motoAccount, "", "", catalog.StatusFail, "alice, carol", "no identity account is designated")
	audittest.Expect(t, res, "iam.support-role", motoAccount, "", "", catalog.StatusPass, "role support")
	if fs := audittest.Find(res, "iam.unused-roles", "*", "*", "*"); len(fs) != 2 {
		t.Errorf("unused-roles reported %d roles, want app and support (service-linked left out):\n%s", len(fs), audittest.Dump(res, "iam.unused-roles"))
	}

	settings.IdentityAccount = motoAccount
	res = audittest.Audit(t, now, settings, "iam.keys-in-identity-account")
	audittest.Expect(t, res, "iam.keys-in-identity-account", motoAccount, "", "", catalog.StatusPass, "this is the identity account")

	// A hundred days on, nothing has been used since: every credential and
	// role is stale, and the strong password policy set meanwhile passes.
	_, err = s.api.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(16), PasswordReusePrevention: aws.Int32(24),
		RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
	})
	s.do("strong password policy", err)
	later := iamOpts
	later.Now = func() time.Time { return time.Now().Add(100 * 24 * time.Hour) }
	res = audittest.Audit(t, audittest.Collect(t, later), settings, iamIDs...)
	audittest.Expect(t, res, "iam.password-policy", motoAccount, "", "", catalog.StatusPass, "16 characters")
	audittest.Expect(t, res, "iam.unused-credentials", motoAccount, "", userArn+"alice", catalog.StatusFail,
		"password never used since it was issued on", "access key 1 never used since")
	audittest.Expect(t, res, "iam.unused-credentials", motoAccount, "", userArn+"carol", catalog.StatusFail, "access key 1 last used", "(100 days ago)")
	if fs := audittest.Find(res, "iam.unused-credentials", "*", "*", userArn+"breakglass"); len(fs) != 0 {
		t.Errorf("break-glass password reported as unused: %+v", fs)
	}
	audittest.Expect(t, res, "iam.access-keys-rotated", motoAccount, "", userArn+"carol", catalog.StatusFail, "older than 90 days")
	audittest.Expect(t, res, "iam.unused-roles", motoAccount, "", roleArn+"app", catalog.StatusFail, "no recorded use")
	audittest.Expect(t, res, "iam.unused-roles", motoAccount, "", roleArn+"support", catalog.StatusFail, "was last used on")
}

func TestIAMAuditRoleAcrossTheOrganization(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	org, err := fixture.CreateOrganization(ctx, moto.Config(t), []fixture.Member{
		{Name: "security", Email: "security@example.com", OU: "Security"},
		{Name: "workload", Email: "workload@example.com", OU: "Prod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sec, work := org.AccountID("security"), org.AccountID("workload")
	mgmt := iamSetup{t: t, ctx: ctx, api: iam.NewFromConfig(org.Config(org.Management))}
	mgmt.role("baseline-audit", trustDoc(`{"AWS":"arn:aws:iam::`+sec+`:root"}`), "arn:aws:iam::aws:policy/SecurityAudit")
	w := iamSetup{t: t, ctx: ctx, api: iam.NewFromConfig(org.Config(work))}
	w.role("auditor", trustDoc(`{"AWS":["`+sec+`","arn:aws:iam::444455556666:root"]}`), "arn:aws:iam::aws:policy/ReadOnlyAccess")
	w.user("deployer", false, false)
	w.accessKey("deployer")
	secSetup := iamSetup{t: t, ctx: ctx, api: iam.NewFromConfig(org.Config(sec))}
	secSetup.user("ci", false, false)
	secSetup.accessKey("ci")

	settings := catalog.Defaults()
	settings.IdentityAccount = "security"
	opts := iamOpts
	opts.Org = true
	res := audittest.Audit(t, audittest.Collect(t, opts), settings, "iam.audit-role", "iam.keys-in-identity-account")
	audittest.Expect(t, res, "iam.audit-role", org.Management, "", "", catalog.StatusPass, "baseline-audit", "trusted only by the security account "+sec)
	audittest.Expect(t, res, "iam.audit-role", work, "", "", catalog.StatusFail, "auditor trusts 444455556666")
	audittest.Expect(t, res, "iam.audit-role", sec, "", "", catalog.StatusFail, "no role with SecurityAudit or ReadOnlyAccess")
	audittest.Expect(t, res, "iam.keys-in-identity-account", work, "", "", catalog.StatusFail, "deployer", "outside the identity account "+sec+" (security)")
	audittest.Expect(t, res, "iam.keys-in-identity-account", sec, "", "", catalog.StatusPass, "this is the identity account", "ci")
	audittest.Expect(t, res, "iam.keys-in-identity-account", org.Management, "", "", catalog.StatusPass, "no IAM user has an active access key")
}

// Hand-built snapshots for what the emulator cannot show: the root user's
// row, old roles that were used, Identity Center absent or organization-wide.

func iamSnapshot(now time.Time, accounts ...*snapshot.Account) *snapshot.Snapshot {
	return &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: now, Accounts: accounts,
		Organization: &snapshot.Organization{ID: "o-1", ManagementAccountID: "111111111111", Member: true, Full: true}}
}

func iamAccount(id string, s *snapshot.IAM) *snapshot.Account {
	return &snapshot.Account{AccountID: id, Name: "acct-" + id, Global: snapshot.Global{IAM: s}, Regions: map[string]*snapshot.Region{}}
}

func daysAgo(now time.Time, d int) *time.Time {
	t := now.Add(-time.Duration(d) * 24 * time.Hour)
	return &t
}

func TestIAMRootChecks(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	root := func(passwordUsed *time.Time, keys ...snapshot.AccessKey) *snapshot.IAM {
		r := snapshot.CredentialEntry{User: snapshot.RootUser, Arn: "arn:aws:iam::" + "111111111111:root", PasswordLastUsed: passwordUsed, MFAActive: true}
		copy(r.AccessKeys[:], keys)
		return &snapshot.IAM{Credentials: []snapshot.CredentialEntry{r}}
	}
	snap := iamSnapshot(now,
		iamAccount("111111111111", root(nil)),
		iamAccount("222222222222", root(daysAgo(now, 200), snapshot.AccessKey{Active: true, Rotated: daysAgo(now, 900), LastUsed: daysAgo(now, 3)})),
		iamAccount("333333333333", root(daysAgo(now, 120), snapshot.AccessKey{}, snapshot.AccessKey{Rotated: daysAgo(now, 400)})),
	)
	res := audittest.Audit(t, snap, catalog.Defaults(), "iam.root-no-access-keys", "iam.root-not-used")
	audittest.Expect(t, res, "iam.root-no-access-keys", "111111111111", "", "", catalog.StatusPass)
	audittest.Expect(t, res, "iam.root-no-access-keys", "222222222222", "", "", catalog.StatusFail, "active access key 1, last used", "(3 days ago)")
	audittest.Expect(t, res, "iam.root-no-access-keys", "333333333333", "", "", catalog.StatusFail, "inactive access key 2")
	audittest.Expect(t, res, "iam.root-not-used", "111111111111", "", "", catalog.StatusPass, "no recorded use")
	audittest.Expect(t, res, "iam.root-not-used", "222222222222", "", "", catalog.StatusFail, "used access key 1 on", "within the last 90 days")
	audittest.Expect(t, res, "iam.root-not-used", "333333333333", "", "", catalog.StatusPass, "signed in with its password on", "(120 days ago)")
}

func TestIAMSSOOrFederation(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	orgInstance := snapshot.IdentityCenterInstance{Arn: "arn:aws:sso:::instance/ssoins-1", OwnerAccountID: "111111111111", Status: "ACTIVE"}
	saml := &snapshot.IAM{SAMLProviders: []string{"arn:aws:iam::333333333333:saml-provider/okta"}}
	alone := iamSnapshot(now, iamAccount("222222222222", &snapshot.IAM{}), iamAccount("333333333333", saml))
	res := audittest.Audit(t, alone, catalog.Defaults(), "iam.sso-or-federation")
	audittest.Expect(t, res, "iam.sso-or-federation", "222222222222", "", "", catalog.StatusFail, "no active IAM Identity Center instance")
	audittest.Expect(t, res, "iam.sso-or-federation", "333333333333", "", "", catalog.StatusPass, "SAML provider arn:aws:iam::333333333333:saml-provider/okta")

	covered := iamSnapshot(now, iamAccount("111111111111", &snapshot.IAM{IdentityCenter: []snapshot.IdentityCenterInstance{orgInstance}}),
		iamAccount("222222222222", &snapshot.IAM{}))
	res = audittest.Audit(t, covered, catalog.Defaults(), "iam.sso-or-federation")
	audittest.Expect(t, res, "iam.sso-or-federation", "111111111111", "", "", catalog.StatusPass, "instance arn:aws:sso:::instance/ssoins-1 is visible")
	audittest.Expect(t, res, "iam.sso-or-federation", "222222222222", "", "", catalog.StatusPass, "covered by the organization's IAM Identity Center")

	// The management account's instance could not be listed: unknown, not absent.
	unknown := iamSnapshot(now, iamAccount("111111111111", &snapshot.IAM{}), iamAccount("222222222222", &snapshot.IAM{}))
	unknown.Errors = []snapshot.Error{{AccountID: "111111111111", Service: "sso", Operation: "ListInstances", Code: "AccessDeniedException", Class: "access_denied"}}
	res = audittest.Audit(t, unknown, catalog.Defaults(), "iam.sso-or-federation")
	audittest.Expect(t, res, "iam.sso-or-federation", "222222222222", "", "", catalog.StatusError, "access denied to sso:ListInstances")

	// Without the management account assessed, trusted access still tells.
	trusted := iamSnapshot(now, iamAccount("222222222222", &snapshot.IAM{}))
	trusted.Organization.TrustedServices = []string{"sso.amazonaws.com"}
	res = audittest.Audit(t, trusted, catalog.Defaults(), "iam.sso-or-federation")
	audittest.Expect(t, res, "iam.sso-or-federation", "222222222222", "", "", catalog.StatusPass, "trusted access")

	deleting := orgInstance
	deleting.Status = "DELETE_IN_PROGRESS"
	res = audittest.Audit(t, iamSnapshot(now, iamAccount("111111111111", &snapshot.IAM{IdentityCenter: []snapshot.IdentityCenterInstance{deleting}})),
		catalog.Defaults(), "iam.sso-or-federation")
	audittest.Expect(t, res, "iam.sso-or-federation", "111111111111", "", "", catalog.StatusFail)
}

func TestIAMUnusedRoleLastUsedRecently(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	s := &snapshot.IAM{Roles: []snapshot.Role{
		{Name: "ci", Arn: "arn:aws:iam::111111111111:role/ci", Path: "/", Created: *daysAgo(now, 500), LastUsed: daysAgo(now, 2)},
		{Name: "AWSServiceRoleForSupport", Arn: "arn:aws:iam::111111111111:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
			Path: "/aws-service-role/support.amazonaws.com/", Created: *daysAgo(now, 500)},
	}}
	res := audittest.Audit(t, iamSnapshot(now, iamAccount("111111111111", s)), catalog.Defaults(), "iam.unused-roles")
	audittest.Expect(t, res, "iam.unused-roles", "111111111111", "", "arn:aws:iam::111111111111:role/ci", catalog.StatusPass, "last used on", "(2 days ago)")
	if n := len(res.Findings); n != 1 {
		t.Fatalf("%d findings, want only the ci role:\n%s", n, audittest.Dump(res, ""))
	}
}

func TestIAMFullAdminPolicyShapes(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, doc string
		want      catalog.Status
		reason    string
	}{
		{"star-colon-star-in-list", `{"Statement":[{"Effect":"Allow","Action":["s3:*","*:*"],"Resource":["arn:aws:s3:::b","*"]}]}`, catalog.StatusFail, "Action * on Resource *"},
		{"not-resource", `{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::vault/*"}]}`, catalog.StatusFail, "every resource except arn:aws:s3:::vault/*"},
		{"deny-star", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, catalog.StatusPass, ""},
		{"scoped-resource", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}}`, catalog.StatusPass, ""},
		{"not-action-star", `{"Statement":{"Effect":"Allow","NotAction":"*","Resource":"*"}}`, catalog.StatusPass, ""},
		{"not-action-iam-prefix", `{"Statement":{"Effect":"Allow","NotAction":["I*"],"Resource":"*"}}`, catalog.StatusPass, ""},
		{"not-action-iam-one", `{"Statement":{"Effect":"Allow","NotAction":"iam:CreateUser","Resource":"*"}}`, catalog.StatusFail, "every action except iam:CreateUser (NotAction)"},
		{"broken", `{"Statement":`, catalog.StatusError, "not valid JSON"},
	} {
		arn := "arn:aws:iam::111111111111:policy/" + c.name
		s := &snapshot.IAM{Policies: []snapshot.ManagedPolicy{{Name: c.name, Arn: arn, Document: c.doc}}}
		res := audittest.Audit(t, iamSnapshot(now, iamAccount("111111111111", s)), catalog.Defaults(), "iam.no-full-admin-policies")
		audittest.Expect(t, res, "iam.no-full-admin-policies", "111111111111", "", arn, c.want, c.reason)
	}
}

func TestIAMAuditRoleTrustShapes(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const sec = "222222222222"
	for _, c := range []struct {
		name, trust string
		want        catalog.Status
		reason      string
	}{
		{"role-arn", trustDoc(`{"AWS":"arn:aws:iam::` + sec + `:role/auditor"}`), catalog.StatusPass, "trusted only by the security account 222222222222 (acct-222222222222)"},
		{"bare-id-with-deny", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + sec + `"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}`, catalog.StatusPass, ""},
		{"anyone", trustDoc(`"*"`), catalog.StatusFail, "trusts *"},
		{"service", trustDoc(`{"AWS":"` + sec + `","Service":"lambda.amazonaws.com"}`), catalog.StatusFail, "trusts lambda.amazonaws.com"},
		{"deleted-principal", trustDoc(`{"AWS":"AROAEXAMPLEID1234567"}`), catalog.StatusFail, "trusts AROAEXAMPLEID1234567"},
		{"not-principal", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"` + sec + `"},"Action":"sts:AssumeRole"}]}`, catalog.StatusFail, "NotPrincipal"},
		{"garbage", `not json`, catalog.StatusFail, "unreadable trust policy"},
	} {
		s := &snapshot.IAM{Roles: []snapshot.Role{{Name: c.name, Arn: "arn:aws:iam::111111111111:role/" + c.name, TrustPolicy: c.trust,
			AttachedPolicies: []string{"arn:aws:iam::aws:policy/SecurityAudit"}}}}
		snap := iamSnapshot(now, iamAccount("111111111111", s), iamAccount(sec, &snapshot.IAM{}))
		settings := catalog.Defaults()
		settings.SecurityAccount = sec
		res := audittest.Audit(t, snap, settings, "iam.audit-role")
		audittest.Expect(t, res, "iam.audit-role", "111111111111", "", "", c.want, c.reason)
	}
}

// iamChecks are the assessed IAM controls that read the iam collector's data
// (iam.access-analyzer reads Access Analyzer).
func iamChecks() []string {
	var ids []string
	for _, id := range iamIDs {
		if c, _ := catalog.Get(id); c.Kind != catalog.Manual {
			ids = append(ids, id)
		}
	}
	return ids
}

// What the iam collector leaves when every read is denied (see
// TestIAMCollectorRecordsDenials): an empty IAM state and one error per read.
func TestIAMDeniedReadsAreErrors(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	denied := func(ops ...string) *snapshot.Snapshot {
		snap := iamSnapshot(now, iamAccount("111111111111", &snapshot.IAM{}))
		for _, op := range ops {
			svc, name, _ := strings.Cut(op, ":")
			snap.Errors = append(snap.Errors, snapshot.Error{AccountID: "111111111111", Service: svc, Operation: name,
				Code: "AccessDenied", Class: "access_denied", Message: "not authorized"})
		}
		return snap
	}
	res := audittest.Audit(t, denied("iam:GetAccountPasswordPolicy", "iam:GetAccountSummary", "iam:GenerateCredentialReport",
		"iam:GetAccountAuthorizationDetails", "iam:ListSAMLProviders", "iam:ListOpenIDConnectProviders", "iam:ListVirtualMFADevices", "sso:ListInstances"),
		catalog.Defaults(), iamChecks()...)
	for _, f := range res.Findings {
		if f.Status != catalog.StatusError || !strings.Contains(f.Reason, "access denied to ") {
			t.Errorf("%s: %s %q, want ERROR naming the denied read", f.ControlID, f.Status, f.Reason)
		}
	}
	if len(res.Findings) != len(iamChecks()) {
		t.Errorf("%d findings for %d checks:\n%s", len(res.Findings), len(iamChecks()), audittest.Dump(res, ""))
	}

	// One denied read errors only the checks that need it.
	res = audittest.Audit(t, denied("iam:GetAccountPasswordPolicy"), catalog.Defaults(), "iam.password-policy", "iam.no-iam-users")
	audittest.Expect(t, res, "iam.password-policy", "111111111111", "", "", catalog.StatusError, "access denied to iam:GetAccountPasswordPolicy")
	audittest.Expect(t, res, "iam.no-iam-users", "111111111111", "", "", catalog.StatusPass)

	// No IAM state at all: the collector did not run.
	snap := iamSnapshot(now, iamAccount("111111111111", nil))
	res = audittest.Audit(t, snap, catalog.Defaults(), iamChecks()...)
	for _, f := range res.Findings {
		if f.Status != catalog.StatusError || !strings.Contains(f.Reason, "iam was not collected") {
			t.Errorf("%s: %s %q, want ERROR: not collected", f.ControlID, f.Status, f.Reason)
		}
	}
}

func TestRootMFAHints(t *testing.T) {
	acct := func(enabled int32, virtual ...snapshot.MFADevice) *snapshot.Account {
		return &snapshot.Account{AccountID: "111111111111", Global: snapshot.Global{IAM: &snapshot.IAM{
			Summary: map[string]int32{"AccountMFAEnabled": enabled}, VirtualMFA: virtual}}}
	}
	cases := []struct {
		acct          *snapshot.Account
		mfa, hardware string
	}{
		{acct(0), "NO MFA", "NO MFA"},
		{acct(1, snapshot.MFADevice{Serial: "arn:aws:iam::111111111111:mfa/root-account-mfa-device", User: "arn:aws:iam::111111111111:root"}), "MFA enabled", "virtual device"},
		{acct(1), "MFA enabled", "no virtual device"},
	}
	for _, c := range cases {
		snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Accounts: []*snapshot.Account{c.acct}}
		res := audittest.Audit(t, snap, catalog.Defaults(), "iam.root-mfa", "iam.root-hardware-mfa")
		audittest.Expect(t, res, "iam.root-mfa", "*", "", "", catalog.StatusManual, c.mfa)
		audittest.Expect(t, res, "iam.root-hardware-mfa", "*", "", "", catalog.StatusManual, c.hardware)
	}
}
