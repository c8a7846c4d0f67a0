package controls_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

var scpControls = []string{"org.scp-guardrails", "org.scp.deny-leave-org", "org.scp.protect-logging", "org.scp.deny-root",
	"org.scp.region-allowlist", "org.scp.protect-s3-public-access-block"}

// rootSCPs returns the SCPs attached to the root: name → content.
func rootSCPs(t *testing.T, env *applytest.Env) map[string]string {
	t.Helper()
	ctx := context.Background()
	api := organizations.NewFromConfig(env.Config("management", "us-east-1"))
	out, err := api.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(env.Org.RootID),
		Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	scps := map[string]string{}
	for _, s := range out.Policies {
		d, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: s.Id})
		if err != nil {
			t.Fatal(err)
		}
		scps[aws.ToString(s.Name)] = aws.ToString(d.Policy.Content)
	}
	return scps
}

func TestApplySCPGuardrails(t *testing.T) {
	env := applytest.NewOrg(t)
	p := env.Converge(t, scpControls...)

	// SCPs enabled once, two policies created and attached.
	mgmt := env.Org.Management
	var got []string
	for _, c := range p.Changes {
		if c.AccountID != mgmt {
			t.Errorf("change outside the management account: %s", c.ID)
		}
		got = append(got, string(c.Action)+" "+c.Resource)
	}
	slices.Sort(got)
	root := env.Org.RootID
	want := []string{"create root/" + root + "/policy-type/SERVICE_CONTROL_POLICY",
		"create scp/baseline-guardrails", "create scp/baseline-guardrails/attachment/" + root,
		"create scp/baseline-region-allowlist", "create scp/baseline-region-allowlist/attachment/" + root}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	scps := rootSCPs(t, env)
	if len(scps) != 3 {
		t.Fatalf("SCPs at the root: %v, want FullAWSAccess and the two of the baseline", catalog.SortedKeys(scps))
	}
	for _, name := range []string{"baseline-guardrails", "baseline-region-allowlist"} {
		content := scps[name]
		if len(content) > 5120 || strings.ContainsAny(content, " \n") {
			t.Errorf("%s is %d characters or not minified: %s", name, len(content), content)
		}
		if !strings.Contains(content, `"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/OrganizationAccountAccessRole"]}`) {
			t.Errorf("%s does not exempt the apply role: %s", name, content)
		}
	}
	var doc struct{ Statement []struct{ Sid string } }
	if err := json.Unmarshal([]byte(scps["baseline-guardrails"]), &doc); err != nil {
		t.Fatal(err)
	}
	var sids []string
	for _, s := range doc.Statement {
		sids = append(sids, s.Sid)
	}
	if want := []string{"DenyLeaveOrganization", "ProtectSecurityServices", "DenyRootUser", "ProtectS3PublicAccessBlock"}; !slices.Equal(sids, want) {
		t.Errorf("guardrail statements %v, want %v", sids, want)
	}

	ctx := context.Background()
	api := organizations.NewFromConfig(env.Config("management", "us-east-1"))
	id := policyIDByName(t, api, "baseline-guardrails")
	d, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	applied := aws.ToString(d.Policy.Content)

	// A plan of one control leaves the statements of the others alone.
	if p := env.Plan(t, "org.scp.deny-leave-org"); !p.Empty() {
		t.Fatalf("a plan of deny-leave-org alone changes the converged guardrails: %+v", p.Changes)
	}

	// Someone lets GuardDuty detectors be deleted after all.
	edited := strings.Replace(applied, `"guardduty:DeleteDetector",`, "", 1)
	if edited == applied {
		t.Fatalf("guardduty:DeleteDetector not in %s", applied)
	}
	if _, err := api.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(edited)}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, scpControls...)
	if len(drift.Changes) != 1 || len(drift.Blocked) != 0 {
		t.Fatalf("plan after the edit: %+v blocked %+v, want one update", drift.Changes, drift.Blocked)
	}
	c := drift.Changes[0]
	before, after := jsonOf(t, c.Before), jsonOf(t, c.After)
	if c.Action != catalog.Update || c.Resource != "scp/baseline-guardrails" || !strings.Contains(before, "cloudtrail:StopLogging") ||
		strings.Contains(before, "guardduty:DeleteDetector") || !strings.Contains(after, "guardduty:DeleteDetector") {
		t.Fatalf("change %s %s before=%s after=%s", c.Action, c.Resource, before, after)
	}
	env.Apply(t, drift)
	if p := env.Plan(t, scpControls...); !p.Empty() {
		t.Fatalf("plan after restoring: %+v", p.Changes)
	}
	if got := rootSCPs(t, env)["baseline-guardrails"]; got != applied {
		t.Fatalf("guardrails after restoring:\n%s\nwant:\n%s", got, applied)
	}
}

// TestApplySCPFivePerTarget: with FullAWSAccess and three SCPs of its own at
// the root, the organization has room for the guardrails but not for the
// region allow-list, which the plan blocks rather than exceed the limit.
func TestApplySCPFivePerTarget(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	api := organizations.NewFromConfig(env.Config("management", "us-east-1"))
	root := env.Org.RootID
	if _, err := api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root),
		PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"team-a", "team-b", "team-c"} {
		p, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Type: orgtypes.PolicyTypeServiceControlPolicy,
			Description: aws.String(name), Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: aws.String(root)}); err != nil {
			t.Fatal(err)
		}
	}
	first := env.Plan(t, scpControls...)
	var got []string
	for _, c := range first.Changes {
		got = append(got, c.Resource)
	}
	if want := []string{"scp/baseline-guardrails", "scp/baseline-guardrails/attachment/" + root}; !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	if len(first.Blocked) != 1 || first.Blocked[0].ControlID != "org.scp.region-allowlist" ||
		!strings.Contains(first.Blocked[0].Reason, "would hold 6 SCPs (FullAWSAccess, team-a, team-b, team-c, baseline-guardrails and baseline-region-allowlist)") {
		t.Fatalf("blocked: %+v", first.Blocked)
	}
	env.Apply(t, first)
	second := env.Plan(t, scpControls...)
	if !second.Empty() || len(second.Blocked) != 1 {
		t.Fatalf("second plan: changes %+v blocked %+v", second.Changes, second.Blocked)
	}
	if n := len(rootSCPs(t, env)); n != 5 {
		t.Fatalf("%d SCPs at the root, want 5", n)
	}
}

func policyIDByName(t *testing.T, api *organizations.Client, name string) string {
	t.Helper()
	out, err := api.ListPolicies(context.Background(), &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range out.Policies {
		if aws.ToString(p.Name) == name {
			return aws.ToString(p.Id)
		}
	}
	t.Fatalf("no SCP %s", name)
	return ""
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
