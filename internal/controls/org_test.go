package controls

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// ---- The policy evaluator ---------------------------------------------------

func TestIAMGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "anything", true},
		{"cloudtrail:*", "cloudtrail:stoplogging", true},
		{"cloudtrail:stop*", "cloudtrail:stoplogging", true},
		{"cloudtrail:stop*", "cloudtrail:deletetrail", false},
		{"cloud*:*logging", "cloudtrail:stoplogging", true},
		{"s3:get?bject", "s3:getobject", true},
		{"s3:get?bject", "s3:getbject", false},
		{"arn:aws:iam::*:root", "arn:aws:iam::111122223333:root", true},
		{"arn:aws:iam::*:root", "arn:aws:iam::111122223333:role/root", false},
		{"", "", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	} {
		if got := iamGlob(c.pattern, c.s); got != c.want {
			t.Errorf("iamGlob(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestSCPStatementEffect(t *testing.T) {
	region := func(r string) map[string]string { return map[string]string{"aws:requestedregion": r} }
	for _, c := range []struct {
		name    string
		policy  string
		req     scpRequest
		applies bool
		spares  string // fragment of the exemption, "" for none
		unless  bool
	}{
		{name: "action string", policy: `{"Statement":{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}}`,
			req: scpRequest{action: "organizations:LeaveOrganization"}, applies: true},
		{name: "action list, case-insensitive", policy: `{"Statement":[{"Effect":"Deny","Action":["ec2:RunInstances","CloudTrail:stoplogging"]}]}`,
			req: scpRequest{action: "cloudtrail:StopLogging"}, applies: true},
		{name: "service wildcard", policy: `{"Statement":[{"Effect":"Deny","Action":"cloudtrail:*","Resource":"*"}]}`,
			req: scpRequest{action: "cloudtrail:DeleteTrail"}, applies: true},
		{name: "prefix wildcard misses", policy: `{"Statement":[{"Effect":"Deny","Action":"cloudtrail:Stop*","Resource":"*"}]}`,
			req: scpRequest{action: "cloudtrail:DeleteTrail"}},
		{name: "NotAction denies the rest", policy: `{"Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*"}]}`,
			req: scpRequest{action: "cloudtrail:StopLogging"}, applies: true},
		{name: "NotAction exempts", policy: `{"Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*"}]}`,
			req: scpRequest{action: "iam:CreateRole"}},
		{name: "role exemption still applies", policy: `{"Statement":[{"Effect":"Deny","Action":"cloudtrail:StopLogging","Resource":"*",
			"Condition":{"ArnNotLike":{"aws:PrincipalARN":["arn:aws:iam::*:role/BaselineAdmin"]}}}]}`,
			req: scpRequest{action: "cloudtrail:StopLogging"}, applies: true, spares: "role/BaselineAdmin"},
		{name: "service exemption with a bare boolean", policy: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
			"Condition":{"Bool":{"aws:PrincipalIsAWSService":false}}}]}`,
			req: scpRequest{action: "s3:DeleteBucket"}, applies: true, spares: "aws:PrincipalIsAWSService"},
		{name: "deny limited to some principals is conditional", policy: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
			"Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Intern*"}}}]}`,
			req: scpRequest{action: "organizations:LeaveOrganization"}, applies: true, unless: true},
		{name: "unknown region key is conditional", policy: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
			"Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`,
			req: scpRequest{action: "ec2:RunInstances"}, applies: true, unless: true},
		{name: "region outside the list", policy: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
			"Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`,
			req: scpRequest{action: "ec2:RunInstances", keys: region("ap-south-1")}, applies: true},
		{name: "region inside the list", policy: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
			"Condition":{"ForAnyValue:StringNotEqualsIfExists":{"aws:RequestedRegion":["eu-west-1"]}}}]}`,
			req: scpRequest{action: "ec2:RunInstances", keys: region("eu-west-1")}},
		{name: "root principal", policy: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
			"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`,
			req: scpRequest{action: "ec2:RunInstances", keys: map[string]string{"aws:principalarn": "arn:aws:iam::111122223333:root"}}, applies: true},
		{name: "via filters unrelated statements", policy: `{"Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`,
			req: scpRequest{action: "iam:CreateRole", keys: region("us-east-1"), via: "aws:requestedregion"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stmts, err := parseSCP(c.policy)
			if err != nil || len(stmts) != 1 {
				t.Fatalf("parse: %v (%d statements)", err, len(stmts))
			}
			eff := stmts[0].effect(c.req)
			if eff.applies != c.applies {
				t.Fatalf("applies = %v, want %v (%+v)", eff.applies, c.applies, eff)
			}
			if got := strings.Join(eff.spares, ";"); (c.spares == "") != (got == "") || !strings.Contains(got, c.spares) {
				t.Fatalf("spares = %q, want %q", got, c.spares)
			}
			if (len(eff.unless) > 0) != c.unless {
				t.Fatalf("unless = %v, want conditional %v", eff.unless, c.unless)
			}
		})
	}
}

func TestParseSCPRejectsGarbage(t *testing.T) {
	for _, doc := range []string{`not json`, `{"Statement":[{"Effect":"Deny","Action":"*","Condition":{"StringEquals":{"k":{"nested":1}}}}]}`} {
		if _, err := parseSCP(doc); err == nil {
			t.Errorf("parseSCP(%q) accepted it", doc)
		}
	}
}

// ---- SCPs over the tree (hand-built organizations) ------------------------

const (
	scpMgmt    = "111111111111"
	scpProd    = "222222222222"
	scpSandbox = "333333333333"
)

const (
	scpDenyLeave   = `{"Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`
	scpFullAccess  = `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	scpOnlyCompute = `{"Statement":[{"Effect":"Allow","Action":["ec2:*","lambda:*"],"Resource":"*"}]}`
	scpUnrelated   = `{"Statement":[{"Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}`
)

// scpTree is an organization: root r-1 with OU /Prod (account prod),
// the sandbox account directly under the root, and the management account.
func scpTree(policies ...snapshot.Policy) *snapshot.Snapshot {
	o := &snapshot.Organization{
		ID: "o-test", ManagementAccountID: scpMgmt, Member: true, Full: true,
		Roots: []snapshot.Root{{ID: "r-1", EnabledPolicyTypes: []string{scpType}}},
		OUs:   []snapshot.OU{{ID: "ou-prod", Name: "Prod", ParentID: "r-1", Path: "/Prod"}},
		Accounts: []snapshot.OrgAccount{
			{ID: scpMgmt, Name: "management", Status: "ACTIVE", ParentID: "r-1", OUPath: "/"},
			{ID: scpProd, Name: "prod", Status: "ACTIVE", ParentID: "ou-prod", OUPath: "/Prod", Category: "prod"},
			{ID: scpSandbox, Name: "sandbox", Status: "ACTIVE", ParentID: "r-1", OUPath: "/"},
		},
		Policies: append([]snapshot.Policy{{ID: "p-full", Name: "FullAWSAccess", Type: scpType, AWSManaged: true, Content: scpFullAccess,
			Targets: []string{"r-1", "ou-prod", scpMgmt, scpProd, scpSandbox}}}, policies...),
	}
	snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Organization: o, CallerAccountID: scpMgmt}
	for _, a := range o.Accounts {
		snap.Accounts = append(snap.Accounts, &snapshot.Account{AccountID: a.ID, Name: a.Name, OUPath: a.OUPath, Category: a.Category,
			Regions: map[string]*snapshot.Region{}})
	}
	return snap
}

func testSCP(id, content string, targets ...string) snapshot.Policy {
	return snapshot.Policy{ID: id, Name: id, Type: scpType, Content: content, Targets: targets}
}

func TestSCPCoverage(t *testing.T) {
	for _, c := range []struct {
		name   string
		snap   *snapshot.Snapshot
		status catalog.Status
		reason []string
	}{
		{"at the root", scpTree(testSCP("deny-leave", scpDenyLeave, "r-1")), catalog.StatusPass,
			[]string{"SCP deny-leave at the root"}},
		{"on the OU only leaves the account in the root", scpTree(testSCP("deny-leave", scpDenyLeave, "ou-prod")), catalog.StatusFail,
			[]string{"(for account 333333333333 (sandbox))"}},
		{"on the OU and the loose account", scpTree(testSCP("deny-leave", scpDenyLeave, "ou-prod", scpSandbox)), catalog.StatusPass,
			[]string{"SCP deny-leave at OU /Prod, account 333333333333 (sandbox)"}},
		{"only on the management account, which SCPs do not bind", scpTree(testSCP("deny-leave", scpDenyLeave, scpMgmt)), catalog.StatusFail,
			[]string{"(everywhere)"}},
		{"unrelated SCP", scpTree(testSCP("no-vpc-delete", scpUnrelated, "r-1")), catalog.StatusFail,
			[]string{"no SCP denies organizations:LeaveOrganization (everywhere)"}},
		{"allow-list SCPs deny what they do not list", func() *snapshot.Snapshot {
			s := scpTree(testSCP("compute-only", scpOnlyCompute, "ou-prod", scpSandbox))
			s.Organization.Policies[0].Targets = []string{"r-1", scpMgmt} // FullAWSAccess removed below the root
			return s
		}(), catalog.StatusPass, []string{"the allow-list SCPs at OU /Prod, account 333333333333 (sandbox), which do not include it"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := audittest.Audit(t, c.snap, catalog.Defaults(), "org.scp.deny-leave-org")
			audittest.Expect(t, res, "org.scp.deny-leave-org", scpMgmt, "", "", c.status, c.reason...)
		})
	}
}

func TestSCPReadGapsAreErrors(t *testing.T) {
	// A policy whose content could not be read may be the one that denies.
	snap := scpTree(testSCP("secret", "", "r-1"))
	snap.Errors = []snapshot.Error{{AccountID: scpMgmt, Service: "organizations", Operation: "DescribePolicy", Resource: "secret",
		Code: "AccessDeniedException", Class: "access_denied"}}
	res := audittest.Audit(t, snap, catalog.Defaults(), "org.scp.deny-leave-org")
	audittest.Expect(t, res, "org.scp.deny-leave-org", scpMgmt, "", "", catalog.StatusError, "organizations:DescribePolicy", "secret")

	// An OU whose accounts could not be listed may hold an uncovered account.
	snap = scpTree(testSCP("deny-leave", scpDenyLeave, "ou-prod", scpSandbox))
	snap.Errors = []snapshot.Error{{AccountID: scpMgmt, Service: "organizations", Operation: "ListOrganizationalUnitsForParent", Resource: "ou-prod",
		Code: "AccessDeniedException", Class: "access_denied"}}
	res = audittest.Audit(t, snap, catalog.Defaults(), "org.scp.deny-leave-org")
	audittest.Expect(t, res, "org.scp.deny-leave-org", scpMgmt, "", "", catalog.StatusError, "wherever the tree could be read", "ou-prod")

	// The SCP listing itself failed.
	snap = scpTree()
	snap.Errors = []snapshot.Error{{AccountID: scpMgmt, Service: "organizations", Operation: "ListPolicies", Resource: scpType,
		Code: "AccessDeniedException", Class: "access_denied"}}
	res = audittest.Audit(t, snap, catalog.Defaults(), "org.scp.protect-logging")
	audittest.Expect(t, res, "org.scp.protect-logging", scpMgmt, "", "", catalog.StatusError, "organizations:ListPolicies")
}

func TestRegionAllowlistNeedsGlobalExemptions(t *testing.T) {
	noExemption := `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`
	settings := catalog.Defaults()
	settings.AllowedRegions = []string{"eu-west-1"}
	res := audittest.Audit(t, scpTree(testSCP("regions", noExemption, "r-1")), settings, "org.scp.region-allowlist")
	audittest.Expect(t, res, "org.scp.region-allowlist", scpMgmt, "", "", catalog.StatusFail, "global services", "iam:CreateRole")

	res = audittest.Audit(t, scpTree(testSCP("regions", noExemption, "r-1")), catalog.Defaults(), "org.scp.region-allowlist")
	audittest.Expect(t, res, "org.scp.region-allowlist", scpMgmt, "", "", catalog.StatusSkip, "regions.allowed")
}

func TestOrgControlsNeedTheTree(t *testing.T) {
	snap := scpTree()
	snap.Organization.Full = false
	res := audittest.Audit(t, snap, catalog.Defaults(), "org.scp-guardrails", "org.accounts-categorized", "org.ai-opt-out", "org.delegated-admins")
	for _, id := range []string{"org.scp-guardrails", "org.accounts-categorized", "org.ai-opt-out", "org.delegated-admins"} {
		audittest.Expect(t, res, id, scpMgmt, "", "", catalog.StatusError, "organizations:ListRoots", "--org")
	}

	// A denied ListRoots is named by the engine from Reads.
	snap.Errors = []snapshot.Error{{AccountID: scpMgmt, Service: "organizations", Operation: "ListRoots", Code: "AccessDeniedException", Class: "access_denied"}}
	res = audittest.Audit(t, snap, catalog.Defaults(), "org.scp.deny-leave-org")
	audittest.Expect(t, res, "org.scp.deny-leave-org", scpMgmt, "", "", catalog.StatusError, "access denied to organizations:ListRoots")
}

func TestManagementNoWorkloads(t *testing.T) {
	withRegion := func(r *snapshot.Region) *snapshot.Snapshot {
		s := scpTree()
		s.Account(scpMgmt).Regions["us-east-1"] = r
		return s
	}
	empty := func() *snapshot.Region {
		return &snapshot.Region{EC2: &snapshot.EC2{}, Lambda: &snapshot.Lambda{}, RDS: &snapshot.RDS{}, ECS: &snapshot.ECS{}}
	}
	busy := empty()
	busy.EC2.Instances = []snapshot.Instance{{ID: "i-1", State: "running"}, {ID: "i-2", State: "terminated"}}
	busy.Lambda.Functions = []snapshot.Function{{Name: "billing-export"}, {Name: "cleanup"}}
	partial := empty()
	partial.RDS = nil
	for _, c := range []struct {
		name   string
		snap   *snapshot.Snapshot
		status catalog.Status
		reason []string
	}{
		{"none", withRegion(empty()), catalog.StatusPass, []string{"no EC2 instance"}},
		{"workloads", withRegion(busy), catalog.StatusFail, []string{"us-east-1: 1 running EC2 instance (i-1), 2 Lambda functions (billing-export, cleanup)"}},
		{"not collected", withRegion(partial), catalog.StatusError, []string{"not collected for the management account in us-east-1 (rds)"}},
		{"read failed", func() *snapshot.Snapshot {
			s := withRegion(empty())
			s.Errors = []snapshot.Error{{AccountID: scpMgmt, Region: "us-east-1", Service: "lambda", Operation: "ListFunctions", Code: "AccessDeniedException", Class: "access_denied"}}
			return s
		}(), catalog.StatusError, []string{"lambda:ListFunctions"}},
		{"a member's failure does not matter", func() *snapshot.Snapshot {
			s := withRegion(empty())
			s.Errors = []snapshot.Error{{AccountID: scpProd, Region: "us-east-1", Service: "lambda", Operation: "ListFunctions", Code: "AccessDeniedException", Class: "access_denied"}}
			return s
		}(), catalog.StatusPass, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := audittest.Audit(t, c.snap, catalog.Defaults(), "org.management-no-workloads")
			audittest.Expect(t, res, "org.management-no-workloads", scpMgmt, "", "", c.status, c.reason...)
		})
	}
}

// ---- Against the emulator ---------------------------------------------------

func TestOrgControlsWithoutOrganization(t *testing.T) {
	moto.Start(t)
	snap := audittest.Collect(t, collect.Options{Regions: []string{"us-east-1"}, Services: []string{"none"}})
	res := audittest.Audit(t, snap, catalog.Defaults(), "org.member", "org.scp.deny-leave-org", "org.ai-opt-out", "org.management-no-workloads")
	audittest.Expect(t, res, "org.member", "*", "", "", catalog.StatusFail, "no AWS Organization")
	for _, id := range []string{"org.scp.deny-leave-org", "org.ai-opt-out", "org.management-no-workloads"} {
		audittest.Expect(t, res, id, "*", "", "", catalog.StatusFail, "no AWS Organization")
	}
}

const (
	protectLoggingDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"ProtectLogging","Effect":"Deny","Action":[
		"cloudtrail:StopLogging","cloudtrail:DeleteTrail","cloudtrail:UpdateTrail","cloudtrail:PutEventSelectors",
		"config:StopConfigurationRecorder","config:DeleteConfigurationRecorder","config:DeleteDeliveryChannel",
		"guardduty:DeleteDetector","guardduty:UpdateDetector","guardduty:Disassociate*",
		"securityhub:DisableSecurityHub","securityhub:DisassociateFromAdministratorAccount","access-analyzer:DeleteAnalyzer"],
		"Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/BaselineAdmin"}}}]}`
	regionAllowlistDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",
		"NotAction":["iam:*","organizations:*","route53:*","cloudfront:*","sts:*","support:*","budgets:*"],"Resource":"*",
		"Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`
	memberGuardrailsDoc = `{"Version":"2012-10-17","Statement":[
		{"Sid":"DenyRoot","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]}}},
		{"Sid":"ProtectBPA","Effect":"Deny","Action":"s3:PutAccountPublicAccessBlock","Resource":"*"}]}`
	aiOptOutDoc = `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut","@@operators_allowed_for_child_policies":["@@none"]}}}}`
)

func TestOrgControlsMoto(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	org, err := fixture.CreateOrganization(ctx, cfg, []fixture.Member{
		{Name: "security", Email: "security@example.com", OU: "Security"},
		{Name: "log-archive", Email: "logs@example.com", OU: "LogArchive"},
		{Name: "sandbox", Email: "sandbox@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	api := organizations.NewFromConfig(cfg)
	mgmt, sandbox, security := org.Management, org.AccountID("sandbox"), org.AccountID("security")
	opts := collect.Options{Org: true, Regions: []string{"us-east-1"}, Services: []string{"none"}}
	settings := catalog.Defaults()
	settings.AllowedRegions = []string{"us-east-1", "eu-west-1"}
	orgIDs := []string{"org.accounts-categorized", "org.security-account", "org.log-archive-account", "org.scp-guardrails",
		"org.scp.deny-leave-org", "org.scp.protect-logging", "org.scp.deny-root", "org.scp.region-allowlist",
		"org.scp.protect-s3-public-access-block", "org.ai-opt-out", "org.delegated-admins", "org.management-no-workloads"}

	// A fresh organization: nothing enabled, one account loose in the root.
	res := audittest.Audit(t, audittest.Collect(t, opts), settings, append([]string{"org.member"}, orgIDs...)...)
	for _, name := range []string{"management", "security", "log-archive", "sandbox"} {
		audittest.Expect(t, res, "org.member", org.AccountID(name), "", "", catalog.StatusPass, org.ID)
	}
	audittest.Expect(t, res, "org.accounts-categorized", mgmt, "", "", catalog.StatusFail, sandbox+" (sandbox)")
	audittest.Expect(t, res, "org.security-account", mgmt, "", "", catalog.StatusFail, "GuardDuty (no delegated administrator)")
	audittest.Expect(t, res, "org.log-archive-account", mgmt, "", "", catalog.StatusPass, org.AccountID("log-archive"))
	for _, id := range []string{"org.scp-guardrails", "org.scp.deny-leave-org", "org.scp.protect-logging", "org.scp.deny-root",
		"org.scp.region-allowlist", "org.scp.protect-s3-public-access-block"} {
		audittest.Expect(t, res, id, mgmt, "", "", catalog.StatusFail, "service control policies are not enabled")
	}
	audittest.Expect(t, res, "org.ai-opt-out", mgmt, "", "", catalog.StatusFail, "AI services opt-out policies are not enabled")
	audittest.Expect(t, res, "org.delegated-admins", mgmt, "", "", catalog.StatusFail, "Security Hub (no delegated administrator)")
	// The collectors of workloads were not run.
	audittest.Expect(t, res, "org.management-no-workloads", mgmt, "", "", catalog.StatusError, "not collected")

	// Guardrails, but protect-logging misses the account in the root.
	rootID := org.RootID
	for _, typ := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeAiservicesOptOutPolicy} {
		if _, err := api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &rootID, PolicyType: typ}); err != nil {
			t.Fatal(err)
		}
	}
	attach := func(name string, typ orgtypes.PolicyType, content string, targets ...string) string {
		t.Helper()
		p, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Type: typ, Content: aws.String(content),
			Description: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		id := p.Policy.PolicySummary.Id
		for _, target := range targets {
			if _, err := api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: id, TargetId: aws.String(target)}); err != nil {
				t.Fatal(err)
			}
		}
		return aws.ToString(id)
	}
	attach("deny-leave-org", orgtypes.PolicyTypeServiceControlPolicy, scpDenyLeave, rootID)
	protect := attach("protect-logging", orgtypes.PolicyTypeServiceControlPolicy, protectLoggingDoc,
		org.OUs["Security"], org.OUs["LogArchive"])
	attach("region-allowlist", orgtypes.PolicyTypeServiceControlPolicy, regionAllowlistDoc, rootID)
	attach("ai-opt-out", orgtypes.PolicyTypeAiservicesOptOutPolicy, aiOptOutDoc, rootID)
	for _, p := range []string{"guardduty.amazonaws.com", "access-analyzer.amazonaws.com", "config-multiaccountsetup.amazonaws.com"} {
		if _, err := api.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
			AccountId: aws.String(security), ServicePrincipal: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(sandbox),
		Tags: []orgtypes.Tag{{Key: aws.String("category"), Value: aws.String("sandbox")}}}); err != nil {
		t.Fatal(err)
	}
	snap := audittest.Collect(t, opts)
	res = audittest.Audit(t, snap, settings, orgIDs...)
	audittest.Expect(t, res, "org.accounts-categorized", mgmt, "", "", catalog.StatusPass, "all 3 member accounts", "sandbox 1")
	audittest.Expect(t, res, "org.scp.deny-leave-org", mgmt, "", "", catalog.StatusPass, "SCP deny-leave-org at the root")
	audittest.Expect(t, res, "org.scp.protect-logging", mgmt, "", "", catalog.StatusFail, "(for account "+sandbox+" (sandbox))", "cloudtrail:StopLogging")
	audittest.Expect(t, res, "org.scp-guardrails", mgmt, "", "", catalog.StatusFail, "(for account "+sandbox+" (sandbox))")
	audittest.Expect(t, res, "org.scp.region-allowlist", mgmt, "", "", catalog.StatusPass, "SCP region-allowlist at the root", "global services exempt")
	audittest.Expect(t, res, "org.scp.deny-root", mgmt, "", "", catalog.StatusFail, "iam:CreateAccessKey by root")
	audittest.Expect(t, res, "org.scp.protect-s3-public-access-block", mgmt, "", "", catalog.StatusFail, "s3:PutAccountPublicAccessBlock (everywhere)")
	audittest.Expect(t, res, "org.ai-opt-out", mgmt, "", "", catalog.StatusPass, "ai-opt-out", "child policies cannot change it")
	// moto refuses securityhub.amazonaws.com as a delegated-administrator service.
	audittest.Expect(t, res, "org.delegated-admins", mgmt, "", "", catalog.StatusFail, "does not administer Security Hub (no delegated administrator)")
	audittest.Expect(t, res, "org.security-account", mgmt, "", "", catalog.StatusFail, "Security Hub")

	// A narrower allow-list than the SCP's leaves us-east-1 open.
	narrow := catalog.Defaults()
	narrow.AllowedRegions = []string{"eu-west-1"}
	res = audittest.Audit(t, snap, narrow, "org.scp.region-allowlist")
	audittest.Expect(t, res, "org.scp.region-allowlist", mgmt, "", "", catalog.StatusFail, "no SCP denies us-east-1 (everywhere)")

	// Security Hub's delegation, which moto cannot register, completes the set.
	snap.Organization.DelegatedAdmins = append(snap.Organization.DelegatedAdmins,
		snapshot.DelegatedAdmin{AccountID: security, ServicePrincipal: "securityhub.amazonaws.com"})
	res = audittest.Audit(t, snap, settings, "org.delegated-admins", "org.security-account")
	audittest.Expect(t, res, "org.delegated-admins", mgmt, "", "", catalog.StatusPass, security+" (security)")
	audittest.Expect(t, res, "org.security-account", mgmt, "", "", catalog.StatusPass)

	// The rest of the guardrails.
	if _, err := api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &protect, TargetId: aws.String(sandbox)}); err != nil {
		t.Fatal(err)
	}
	attach("member-guardrails", orgtypes.PolicyTypeServiceControlPolicy, memberGuardrailsDoc, rootID)
	res = audittest.Audit(t, audittest.Collect(t, opts), settings, "org.scp-guardrails", "org.scp.protect-logging", "org.scp.deny-root",
		"org.scp.protect-s3-public-access-block")
	audittest.Expect(t, res, "org.scp-guardrails", mgmt, "", "", catalog.StatusPass)
	audittest.Expect(t, res, "org.scp.protect-logging", mgmt, "", "", catalog.StatusPass,
		"with exemption aws:PrincipalArn ArnNotLike arn:aws:iam::*:role/BaselineAdmin")
	audittest.Expect(t, res, "org.scp.deny-root", mgmt, "", "", catalog.StatusPass, "SCP member-guardrails at the root")
	audittest.Expect(t, res, "org.scp.protect-s3-public-access-block", mgmt, "", "", catalog.StatusPass, "SCP member-guardrails at the root")
}
