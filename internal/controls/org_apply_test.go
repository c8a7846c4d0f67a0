package controls_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// rootAccount creates an account left in the organization's root.
func rootAccount(t *testing.T, env *applytest.Env, name string) string {
	t.Helper()
	ctx := context.Background()
	api := organizations.NewFromConfig(env.Config("management", "us-east-1"))
	out, err := api.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := api.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("create account %s: %+v %v", name, st, err)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

func orgTags(t *testing.T, env *applytest.Env, id string) map[string]string {
	t.Helper()
	out, err := organizations.NewFromConfig(env.Config("management", "us-east-1")).ListTagsForResource(context.Background(),
		&organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tag := range out.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return tags
}

func TestApplyAccountsCategorized(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	sandbox := rootAccount(t, env, "sandbox-1")
	env.Settings.AccountCategories["sandbox-1"] = "sandbox"
	env.Settings.CategoryOUs = map[string]string{"prod": "Prod", "sandbox": "Sandbox", "security": "Security"}

	p := env.Converge(t, "org.accounts-categorized")
	workload := env.Org.AccountID("workload")
	var got []string
	for _, c := range p.Changes {
		got = append(got, string(c.Action)+" "+c.Resource)
	}
	want := []string{"create ou/Prod", "create ou/Sandbox", // Security exists
		"create account/" + workload + "/category", // in an OU that names no category: tagged, not moved
		"create account/" + sandbox + "/category", "update account/" + sandbox + "/parent"}
	slices.Sort(got)
	slices.Sort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if tags := orgTags(t, env, workload); tags["category"] != "prod" {
		t.Errorf("workload tags %v", tags)
	}

	// The sandbox account sits in the new OU, created once even when every
	// change is run again (an apply interrupted after its writes).
	env.Apply(t, p)
	api := organizations.NewFromConfig(env.Config("management", "us-east-1"))
	ous, err := api.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(env.Org.RootID)})
	if err != nil {
		t.Fatal(err)
	}
	var sandboxOU []string
	for _, ou := range ous.OrganizationalUnits {
		if aws.ToString(ou.Name) == "Sandbox" {
			sandboxOU = append(sandboxOU, aws.ToString(ou.Id))
		}
	}
	parents, err := api.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(sandbox)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sandboxOU) != 1 || aws.ToString(parents.Parents[0].Id) != sandboxOU[0] {
		t.Fatalf("Sandbox OUs %v, sandbox-1 under %+v", sandboxOU, parents.Parents)
	}

	// Recategorized by hand: the plan puts the category back, nothing else.
	if _, err := api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(workload),
		Tags: []orgtypes.Tag{{Key: aws.String("category"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, "org.accounts-categorized")
	if len(drift.Changes) != 1 || drift.Changes[0].Action != catalog.Update || drift.Changes[0].Resource != "account/"+workload+"/category" {
		t.Fatalf("drift plan: %+v", drift.Changes)
	}
}

func TestApplyAccountsCategorizedBlocksUncategorized(t *testing.T) {
	env := applytest.NewOrg(t)
	mystery := rootAccount(t, env, "mystery")
	p := env.Plan(t, "org.accounts-categorized")
	if len(applytest.Changes(p, mystery)) != 0 {
		t.Errorf("changes planned for an account with no category: %+v", applytest.Changes(p, mystery))
	}
	if len(p.Blocked) != 1 || p.Blocked[0].Resource != "account/"+mystery+"/category" ||
		!strings.Contains(p.Blocked[0].Reason, "set organization.accounts.mystery.category in baseline.yaml") {
		t.Fatalf("blocked: %+v", p.Blocked)
	}
}

func TestApplyLogArchiveAccount(t *testing.T) {
	env := applytest.NewOrg(t)
	logs := env.Org.AccountID("log-archive")
	// Untagged, its OU (Security) says security: only baseline.yaml names it.
	if _, err := organizations.NewFromConfig(env.Config("management", "us-east-1")).UntagResource(context.Background(),
		&organizations.UntagResourceInput{ResourceId: aws.String(logs), TagKeys: []string{"category"}}); err != nil {
		t.Fatal(err)
	}
	p := env.Converge(t, "org.log-archive-account")
	if len(p.Changes) != 1 || p.Changes[0].Resource != "account/"+logs+"/category" {
		t.Fatalf("changes: %+v", p.Changes)
	}
	if tags := orgTags(t, env, logs); tags["category"] != "log-archive" {
		t.Errorf("log-archive tags %v", tags)
	}
}

// The category tag has one owner: org.accounts-categorized when it takes part.
func TestApplyCategoryTagPlannedOnce(t *testing.T) {
	env := applytest.NewOrg(t)
	logs := env.Org.AccountID("log-archive")
	if _, err := organizations.NewFromConfig(env.Config("management", "us-east-1")).UntagResource(context.Background(),
		&organizations.UntagResourceInput{ResourceId: aws.String(logs), TagKeys: []string{"category"}}); err != nil {
		t.Fatal(err)
	}
	p := env.Plan(t, "org.accounts-categorized", "org.log-archive-account", "org.security-account")
	tags := applytest.Changes(p, "account/"+logs+"/category")
	if len(tags) != 1 || tags[0].ControlID != "org.accounts-categorized" {
		t.Fatalf("log-archive category changes: %+v", tags)
	}
}

// Security Hub and Config (config.amazonaws.com) cannot be delegated in
// the emulator and GuardDuty's designation does not reach its
// Organizations view, so org.delegated-admins and org.security-account
// converge here only as far as moto goes; the rest is checked on the
// snapshot and on fakes (org_apply_ops_test.go).
func TestApplyDelegatedAdmins(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	sec := env.Org.AccountID("security")
	p := env.Plan(t, "org.delegated-admins")
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Op+" "+c.Resource)
	}
	want := []string{
		"trusted-access trusted-access/guardduty.amazonaws.com", "guardduty-admin delegated-admin/guardduty.amazonaws.com",
		"trusted-access trusted-access/securityhub.amazonaws.com", "securityhub-admin delegated-admin/securityhub.amazonaws.com",
		"trusted-access trusted-access/config.amazonaws.com", "register-delegated-admin delegated-admin/config.amazonaws.com",
		"trusted-access trusted-access/access-analyzer.amazonaws.com", "register-delegated-admin delegated-admin/access-analyzer.amazonaws.com",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without org.delegated-admins, org.security-account plans the same
	// delegations; with it, none.
	alone := env.Plan(t, "org.security-account")
	both := env.Plan(t, "org.security-account", "org.delegated-admins")
	if len(alone.Changes) != len(want) || len(applytest.Changes(both, "org.security-account")) != 0 {
		t.Errorf("org.security-account plans %d changes alone and %d with org.delegated-admins",
			len(alone.Changes), len(applytest.Changes(both, "org.security-account")))
	}

	// What moto can do: trusted access, Access Analyzer, and GuardDuty's side
	// of its designation, run twice as after an interrupted apply.
	doable := *p
	doable.Changes = nil
	for _, c := range p.Changes {
		if c.Op == "trusted-access" || c.Op == "guardduty-admin" || strings.HasSuffix(c.Resource, "access-analyzer.amazonaws.com") {
			doable.Changes = append(doable.Changes, c)
		}
	}
	env.Apply(t, &doable)
	env.Apply(t, &doable)
	admins, err := guardduty.NewFromConfig(env.Config("management", "us-east-1")).ListOrganizationAdminAccounts(ctx,
		&guardduty.ListOrganizationAdminAccountsInput{})
	if err != nil || len(admins.AdminAccounts) != 1 || aws.ToString(admins.AdminAccounts[0].AdminAccountId) != sec {
		t.Fatalf("GuardDuty administrators %+v %v", admins, err)
	}
	snap := env.Collect(t, "org.delegated-admins")
	rest, err := plan.Build(snap, plan.Options{Settings: env.Settings, Targets: []string{"org.delegated-admins"}})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, c := range rest.Changes {
		got = append(got, c.Resource)
	}
	want = []string{"delegated-admin/guardduty.amazonaws.com", "delegated-admin/securityhub.amazonaws.com", "delegated-admin/config.amazonaws.com"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("after the emulator's part, still planned: %v, want %v", got, want)
	}

	// The registrations AWS makes for those three complete the set: nothing
	// left to plan, and both controls pass.
	for _, principal := range []string{"guardduty.amazonaws.com", "securityhub.amazonaws.com", "config.amazonaws.com"} {
		snap.Organization.DelegatedAdmins = append(snap.Organization.DelegatedAdmins, snapshot.DelegatedAdmin{AccountID: sec, ServicePrincipal: principal})
	}
	ids := []string{"org.delegated-admins", "org.security-account"}
	done, err := plan.Build(snap, plan.Options{Settings: env.Settings, Targets: ids})
	if err != nil || !done.Empty() || len(done.Blocked) > 0 {
		t.Fatalf("plan after the delegations: %+v %+v %v", done.Changes, done.Blocked, err)
	}
	res := audit.Run(snap, audit.Options{Settings: env.Settings, Controls: catalogControls(t, ids...)})
	for _, f := range res.Findings {
		if f.Status != catalog.StatusPass {
			t.Errorf("%s: %s %s", f.ControlID, f.Status, f.Reason)
		}
	}
}

// A service administered by another account is never moved by apply.
func TestApplyDelegatedAdminsElsewhereIsBlocked(t *testing.T) {
	env := applytest.NewOrg(t)
	shared := env.Org.AccountID("shared-services")
	if _, err := organizations.NewFromConfig(env.Config("management", "us-east-1")).RegisterDelegatedAdministrator(context.Background(),
		&organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(shared), ServicePrincipal: aws.String("access-analyzer.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	p := env.Plan(t, "org.delegated-admins")
	if len(applytest.Changes(p, "access-analyzer")) != 0 {
		t.Errorf("Access Analyzer delegation planned: %+v", applytest.Changes(p, "access-analyzer"))
	}
	if len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0].Reason, "IAM Access Analyzer is administered by "+shared) {
		t.Fatalf("blocked: %+v", p.Blocked)
	}
}

func catalogControls(t *testing.T, ids ...string) []*catalog.Control {
	t.Helper()
	var out []*catalog.Control
	for _, id := range ids {
		c, ok := catalog.Get(id)
		if !ok {
			t.Fatalf("no control %s", id)
		}
		out = append(out, c)
	}
	return out
}
