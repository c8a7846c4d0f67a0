package controls

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var scpControlIDs = append(slices.Clone(guardrailControls), regionControl)

func planOn(t *testing.T, snap *snapshot.Snapshot, s *catalog.Settings, ids ...string) *plan.Plan {
	t.Helper()
	p, err := plan.Build(snap, plan.Options{Settings: s, Targets: ids})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func regionSettings(regions ...string) *catalog.Settings {
	s := &catalog.Settings{AllowedRegions: regions}
	s.Complete()
	return s
}

// changeOf returns the only change of p on resource, failing otherwise.
func changeOf(t *testing.T, p *plan.Plan, resource string) catalog.Change {
	t.Helper()
	var found []catalog.Change
	for _, c := range p.Changes {
		if c.Resource == resource {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d changes of %s in %+v", len(found), resource, p.Changes)
	}
	return found[0]
}

func sidsOf(t *testing.T, content string) []string {
	t.Helper()
	var doc struct{ Statement []struct{ Sid string } }
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range doc.Statement {
		out = append(out, s.Sid)
	}
	return out
}

func TestPlanSCPsFromNothing(t *testing.T) {
	snap := scpTree()
	snap.Organization.Roots[0].EnabledPolicyTypes = nil
	p := planOn(t, snap, regionSettings("eu-west-1", "us-east-1"), scpControlIDs...)

	typeRef := catalog.Ref(scpMgmt, "", "root/r-1/policy-type/SERVICE_CONTROL_POLICY")
	if c := changeOf(t, p, "root/r-1/policy-type/SERVICE_CONTROL_POLICY"); c.ControlID != "org.scp-guardrails" {
		t.Errorf("SCPs enabled by %s, want the first guardrail control", c.ControlID)
	}
	g := changeOf(t, p, "scp/baseline-guardrails")
	if g.ControlID != "org.scp-guardrails" || g.Action != catalog.Create || !slices.Contains(g.DependsOn, typeRef) {
		t.Errorf("guardrails change: %+v", g)
	}
	if got, want := sidsOf(t, g.After.(orgPolicy).Content), []string{"DenyLeaveOrganization", "ProtectSecurityServices", "DenyRootUser",
		"ProtectS3PublicAccessBlock"}; !slices.Equal(got, want) {
		t.Errorf("statements %v, want %v", got, want)
	}
	r := changeOf(t, p, "scp/baseline-region-allowlist")
	if r.ControlID != regionControl || !strings.Contains(r.After.(orgPolicy).Content, `"aws:RequestedRegion":["eu-west-1","us-east-1"]`) {
		t.Errorf("region change: %+v", r)
	}
	a := changeOf(t, p, "scp/baseline-region-allowlist/attachment/r-1")
	if want := catalog.Ref(scpMgmt, "", "scp/baseline-region-allowlist"); !slices.Contains(a.DependsOn, want) || !slices.Contains(a.DependsOn, typeRef) {
		t.Errorf("attachment depends on %v", a.DependsOn)
	}
	if len(p.Changes) != 5 || len(p.Blocked) != 0 {
		t.Errorf("changes %d blocked %+v", len(p.Changes), p.Blocked)
	}

	// One control alone writes its statement only, and owns the rest.
	p = planOn(t, snap, regionSettings("eu-west-1"), "org.scp.deny-root")
	if c := changeOf(t, p, "root/r-1/policy-type/SERVICE_CONTROL_POLICY"); c.ControlID != "org.scp.deny-root" {
		t.Errorf("SCPs enabled by %s", c.ControlID)
	}
	if got := sidsOf(t, changeOf(t, p, "scp/baseline-guardrails").After.(orgPolicy).Content); !slices.Equal(got, []string{"DenyRootUser"}) {
		t.Errorf("statements %v, want DenyRootUser only", got)
	}
}

func TestPlanSCPsAdoptsWhatOtherSCPsDeny(t *testing.T) {
	// Leaving the organization is already denied; the regions are too.
	regions := `{"Statement":[{"Effect":"Deny","NotAction":["iam:*","organizations:*","route53:*","cloudfront:*","sts:*","support:*"],` +
		`"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`
	snap := scpTree(testSCP("deny-leave", scpDenyLeave, "r-1"), testSCP("regions", regions, "r-1"))
	p := planOn(t, snap, regionSettings("eu-west-1"), scpControlIDs...)
	if got := sidsOf(t, changeOf(t, p, "scp/baseline-guardrails").After.(orgPolicy).Content); slices.Contains(got, "DenyLeaveOrganization") {
		t.Errorf("statements %v duplicate the existing deny-leave SCP", got)
	}
	if len(p.Changes) != 2 {
		t.Errorf("changes %+v, want the guardrails created and attached only", p.Changes)
	}
}

func TestPlanSCPsBlocks(t *testing.T) {
	full := scpTree(testSCP("a", scpUnrelated, "r-1"), testSCP("b", scpUnrelated, "r-1"), testSCP("c", scpUnrelated, "r-1"),
		testSCP("d", scpUnrelated, "r-1"))
	p := planOn(t, full, regionSettings("eu-west-1"), scpControlIDs...)
	if len(p.Changes) != 0 || len(p.Blocked) != 2 {
		t.Fatalf("a full root: changes %+v blocked %+v", p.Changes, p.Blocked)
	}
	for _, b := range p.Blocked {
		if !strings.Contains(b.Reason, "would hold 6 SCPs (FullAWSAccess, a, b, c, d and baseline-") {
			t.Errorf("%s: %s", b.ControlID, b.Reason)
		}
	}

	p = planOn(t, scpTree(), regionSettings(), scpControlIDs...)
	if len(p.Blocked) != 1 || p.Blocked[0].ControlID != regionControl || !strings.Contains(p.Blocked[0].Reason, "regions.allowed") {
		t.Errorf("no allow-list: blocked %+v", p.Blocked)
	}
	if len(p.Changes) != 2 {
		t.Errorf("no allow-list: the guardrails are still planned: %+v", p.Changes)
	}
}

// TestSCPSizeLimit: every commercial, GovCloud and China region allowed and
// sixteen exempt roles of the longest name IAM allows still fit in 5,120
// characters; more roles block the plan rather than produce a policy AWS
// refuses.
func TestSCPSizeLimit(t *testing.T) {
	regions := []string{"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
		"ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
		"ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1",
		"eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
		"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2"}
	roles := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%02d-%s", i, strings.Repeat("r", 61)) // 64 characters, IAM's maximum
		}
		return out
	}
	s := regionSettings(regions...)
	s.ExemptRoles = roles(16)
	p := planOn(t, scpTree(), s, scpControlIDs...)
	for _, res := range []string{"scp/baseline-guardrails", "scp/baseline-region-allowlist"} {
		content := changeOf(t, p, res).After.(orgPolicy).Content
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(content)); err != nil || compact.String() != content {
			t.Errorf("%s is not minified JSON (%v)", res, err)
		}
		if len(content) > maxSCPSize {
			t.Errorf("%s is %d characters", res, len(content))
		}
		t.Logf("%s: %d characters", res, len(content))
	}

	s.ExemptRoles = roles(30)
	p = planOn(t, scpTree(), s, scpControlIDs...)
	if len(p.Changes) != 0 || len(p.Blocked) != 2 {
		t.Fatalf("oversized: changes %+v blocked %+v", p.Changes, p.Blocked)
	}
	for _, b := range p.Blocked {
		if !strings.Contains(b.Reason, "more than the 5120 AWS allows: list fewer roles in regions.exempt_roles") {
			t.Errorf("%s: %s", b.ControlID, b.Reason)
		}
	}
}

// TestRegionRuleExemptsWhatTheCheckProbes keeps the exemptions and the
// check's probes of global services in step.
func TestRegionRuleExemptsWhatTheCheckProbes(t *testing.T) {
	for _, a := range globalProbes {
		if !anyActionGlob(globalServiceActions, a) {
			t.Errorf("%s is not exempt from the region rule", a)
		}
	}
}

func TestPlanAIOptOut(t *testing.T) {
	snap := scpTree()
	p := planOn(t, snap, catalog.Defaults(), "org.ai-opt-out")
	var got []string
	for _, c := range p.Changes {
		got = append(got, string(c.Action)+" "+c.Resource)
	}
	want := []string{"create root/r-1/policy-type/AISERVICES_OPT_OUT_POLICY", "create ai-opt-out-policy/baseline-ai-opt-out",
		"create ai-opt-out-policy/baseline-ai-opt-out/attachment/r-1"}
	if !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}

	// Someone else's opt-out at the root is adopted.
	snap.Organization.Roots[0].EnabledPolicyTypes = append(snap.Organization.Roots[0].EnabledPolicyTypes, aiOptOutType)
	snap.Organization.Policies = append(snap.Organization.Policies, snapshot.Policy{ID: "p-theirs", Name: "theirs", Type: aiOptOutType,
		Content: `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`, Targets: []string{"r-1"}})
	if p := planOn(t, snap, catalog.Defaults(), "org.ai-opt-out"); !p.Empty() {
		t.Fatalf("plan beside an existing opt-out: %+v", p.Changes)
	}

	// The baseline's own, edited to opt back in, is restored.
	snap.Organization.Policies = append(snap.Organization.Policies, snapshot.Policy{ID: "p-ours", Name: "baseline-ai-opt-out", Type: aiOptOutType,
		Content: `{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}`, Targets: []string{"r-1"}})
	p = planOn(t, snap, catalog.Defaults(), "org.ai-opt-out")
	c := changeOf(t, p, "ai-opt-out-policy/baseline-ai-opt-out")
	if len(p.Changes) != 1 || c.Action != catalog.Update || c.Before.(orgPolicy).Content == c.After.(orgPolicy).Content {
		t.Fatalf("changes %+v", p.Changes)
	}
}

// ---- Ops against a fake Organizations ---------------------------------------

type fakeOrgs struct {
	policies  []orgtypes.PolicySummary
	content   map[string]string
	tags      map[string][]orgtypes.Tag
	attached  map[string][]string
	typesOn   []string
	attachErr error
	calls     []string
}

func newFakeOrgs() *fakeOrgs {
	return &fakeOrgs{content: map[string]string{}, tags: map[string][]orgtypes.Tag{}, attached: map[string][]string{}}
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func (f *fakeOrgs) ListPolicies(_ context.Context, in *organizations.ListPoliciesInput, _ ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error) {
	f.calls = append(f.calls, "ListPolicies")
	out := &organizations.ListPoliciesOutput{}
	for _, p := range f.policies {
		if p.Type == in.Filter {
			out.Policies = append(out.Policies, p)
		}
	}
	return out, nil
}

func (f *fakeOrgs) CreatePolicy(_ context.Context, in *organizations.CreatePolicyInput, _ ...func(*organizations.Options)) (*organizations.CreatePolicyOutput, error) {
	f.calls = append(f.calls, "CreatePolicy")
	id := fmt.Sprintf("p-%d", len(f.policies))
	f.policies = append(f.policies, orgtypes.PolicySummary{Id: aws.String(id), Name: in.Name, Type: in.Type})
	f.content[id], f.tags[id] = aws.ToString(in.Content), in.Tags
	return &organizations.CreatePolicyOutput{}, nil
}

func (f *fakeOrgs) UpdatePolicy(_ context.Context, in *organizations.UpdatePolicyInput, _ ...func(*organizations.Options)) (*organizations.UpdatePolicyOutput, error) {
	f.calls = append(f.calls, "UpdatePolicy")
	f.content[aws.ToString(in.PolicyId)] = aws.ToString(in.Content)
	return &organizations.UpdatePolicyOutput{}, nil
}

func (f *fakeOrgs) AttachPolicy(_ context.Context, in *organizations.AttachPolicyInput, _ ...func(*organizations.Options)) (*organizations.AttachPolicyOutput, error) {
	f.calls = append(f.calls, "AttachPolicy")
	if f.attachErr != nil {
		return nil, f.attachErr
	}
	id := aws.ToString(in.PolicyId)
	f.attached[id] = append(f.attached[id], aws.ToString(in.TargetId))
	return &organizations.AttachPolicyOutput{}, nil
}

func (f *fakeOrgs) EnablePolicyType(_ context.Context, in *organizations.EnablePolicyTypeInput, _ ...func(*organizations.Options)) (*organizations.EnablePolicyTypeOutput, error) {
	f.calls = append(f.calls, "EnablePolicyType")
	if slices.Contains(f.typesOn, string(in.PolicyType)) {
		return nil, apiErr("PolicyTypeAlreadyEnabledException")
	}
	f.typesOn = append(f.typesOn, string(in.PolicyType))
	return &organizations.EnablePolicyTypeOutput{}, nil
}

func TestOrgPolicyOpsAreIdempotent(t *testing.T) {
	ctx := context.Background()
	f := newFakeOrgs()
	want := orgPolicy{Name: "baseline-guardrails", Type: scpType, Description: "d", Content: `{"v":1}`}

	// Created once, tagged; the re-run of the create (a crash after it) and
	// an update find it by name.
	for i, content := range []string{`{"v":1}`, `{"v":1}`, `{"v":2}`} {
		want.Content = content
		if err := putPolicy(ctx, f, want); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if len(f.policies) != 1 || f.content["p-0"] != `{"v":2}` {
		t.Fatalf("policies %+v content %v", f.policies, f.content)
	}
	if tags := f.tags["p-0"]; len(tags) != 1 || aws.ToString(tags[0].Key) != catalog.ManagedTagKey || aws.ToString(tags[0].Value) != catalog.ManagedTagValue {
		t.Errorf("tags %+v", tags)
	}

	on := policyTypeOn{RootID: "r-1", PolicyType: scpType}
	for range 2 {
		if err := enableType(ctx, f, on); err != nil {
			t.Fatalf("enable: %v", err)
		}
	}

	a := policyAttachment{PolicyName: "baseline-guardrails", PolicyType: scpType, TargetID: "r-1"}
	if err := attachPolicy(ctx, f, a); err != nil {
		t.Fatal(err)
	}
	f.attachErr = apiErr("DuplicatePolicyAttachmentException")
	if err := attachPolicy(ctx, f, a); err != nil {
		t.Errorf("attaching again: %v", err)
	}
	if got := f.attached["p-0"]; !slices.Equal(got, []string{"r-1"}) {
		t.Errorf("attached to %v", got)
	}
}

func TestOrgPolicyOpsRetrySettlingErrors(t *testing.T) {
	ctx := context.Background()
	f := newFakeOrgs()
	// The policy of the attachment is not listed yet.
	if err := attachPolicy(ctx, f, policyAttachment{PolicyName: "x", PolicyType: scpType, TargetID: "r-1"}); !catalog.IsRetryable(err) {
		t.Errorf("attaching an unlisted policy: %v, want retryable", err)
	}
	if err := putPolicy(ctx, f, orgPolicy{Name: "x", Type: scpType, Content: "{}"}); err != nil {
		t.Fatal(err)
	}
	// SCPs still being enabled on the root.
	f.attachErr = apiErr("PolicyTypeNotEnabledException")
	if err := attachPolicy(ctx, f, policyAttachment{PolicyName: "x", PolicyType: scpType, TargetID: "r-1"}); !catalog.IsRetryable(err) {
		t.Errorf("attaching before SCPs are on: %v, want retryable", err)
	}
	// The five-per-target limit is no wait.
	f.attachErr = apiErr("ConstraintViolationException")
	if err := attachPolicy(ctx, f, policyAttachment{PolicyName: "x", PolicyType: scpType, TargetID: "r-1"}); err == nil || catalog.IsRetryable(err) {
		t.Errorf("attaching past the limit: %v, want a plain error", err)
	}
}
