package plan_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func snap() *snapshot.Snapshot {
	strong := &snapshot.PasswordPolicy{MinimumLength: 14, PasswordReusePrevention: 24, RequireSymbols: true, RequireNumbers: true,
		RequireUppercase: true, RequireLowercase: true, AllowUsersToChangePassword: true}
	return &snapshot.Snapshot{
		CollectedAt:  time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
		Organization: &snapshot.Organization{ID: "o-test", Member: true, ManagementAccountID: "111111111111"},
		Accounts: []*snapshot.Account{
			{AccountID: "111111111111", Name: "management", Global: snapshot.Global{IAM: &snapshot.IAM{}}},
			{AccountID: "222222222222", Name: "good", Global: snapshot.Global{IAM: &snapshot.IAM{PasswordPolicy: strong}}},
			{AccountID: "333333333333", Name: "weak", Global: snapshot.Global{IAM: &snapshot.IAM{PasswordPolicy: &snapshot.PasswordPolicy{MinimumLength: 8}}}},
			{AccountID: "444444444444", Name: "denied", Global: snapshot.Global{IAM: &snapshot.IAM{}}},
			{AccountID: "555555555555", Name: "gone", Unreachable: "AccessDenied on sts:AssumeRole"},
		},
		Errors: []snapshot.Error{{AccountID: "444444444444", Service: "iam", Operation: "GetAccountPasswordPolicy", Code: "AccessDenied", Class: "access_denied"}},
	}
}

func build(t *testing.T, s *snapshot.Snapshot, opts plan.Options) *plan.Plan {
	t.Helper()
	opts.Targets = []string{"iam.password-policy"}
	p, err := plan.Build(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildPlansOnlyWhatDiffers(t *testing.T) {
	p := build(t, snap(), plan.Options{})
	got := map[string]catalog.Action{}
	for _, c := range p.Changes {
		got[c.AccountID] = c.Action
	}
	want := map[string]catalog.Action{"111111111111": catalog.Create, "333333333333": catalog.Update}
	if len(got) != len(want) || got["111111111111"] != catalog.Create || got["333333333333"] != catalog.Update {
		t.Fatalf("changes by account %v, want %v", got, want)
	}
	// A read that failed and an account that could not be reached are
	// blocked with the reason, never guessed at.
	blocked := map[string]string{}
	for _, b := range p.Blocked {
		blocked[b.AccountID] = b.Reason
	}
	if !strings.Contains(blocked["444444444444"], "iam:GetAccountPasswordPolicy") || !strings.Contains(blocked["555555555555"], "AssumeRole") {
		t.Fatalf("blocked %v", blocked)
	}
}

func TestBuildScopesAccounts(t *testing.T) {
	p := build(t, snap(), plan.Options{Exclude: []string{"111111111111"}})
	if len(p.Changes) != 1 || p.Changes[0].AccountID != "333333333333" {
		t.Fatalf("changes %+v, want only the weak account", p.Changes)
	}
	p = build(t, snap(), plan.Options{Accounts: []string{"111111111111"}})
	if len(p.Changes) != 1 || p.Changes[0].AccountID != "111111111111" {
		t.Fatalf("changes %+v, want only the management account", p.Changes)
	}
}

func TestTargetsMustBeAutomated(t *testing.T) {
	for _, id := range []string{"iam.root-mfa", "no.such-control"} {
		if _, err := plan.Build(snap(), plan.Options{Targets: []string{id}}); err == nil {
			t.Fatalf("target %s accepted", id)
		}
	}
}

func TestSavedPlanRoundTripAndStale(t *testing.T) {
	p := build(t, snap(), plan.Options{})
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := p.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	saved, err := plan.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := plan.Stale(saved, build(t, snap(), plan.Options{})); len(d) != 0 {
		t.Fatalf("a plan read back differs from the same plan made again: %v", d)
	}
	// The weak account was fixed by hand, the good one weakened.
	s := snap()
	s.Accounts[2].Global.IAM.PasswordPolicy = s.Accounts[1].Global.IAM.PasswordPolicy
	s.Accounts[1].Global.IAM.PasswordPolicy = &snapshot.PasswordPolicy{MinimumLength: 6}
	d := plan.Stale(saved, build(t, s, plan.Options{}))
	if len(d) != 2 || !strings.Contains(strings.Join(d, " "), "333333333333") || !strings.Contains(strings.Join(d, " "), "222222222222") {
		t.Fatalf("stale differences %v", d)
	}
}

func TestTextShowsBeforeAndAfter(t *testing.T) {
	var b strings.Builder
	if err := build(t, snap(), plan.Options{}).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Plan: 1 to create, 1 to update, 0 to delete", "~ iam.password-policy", "minimum_length: 8 → 14", "Not changed (2)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("plan text lacks %q:\n%s", want, out)
		}
	}
}
