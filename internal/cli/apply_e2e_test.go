package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/emulator"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// writeE2EConfig runs `baseline init` and completes the file the way a
// person would: the TODOs answered, alert emails, and the controls the
// emulator cannot perform disabled.
func writeE2EConfig(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "baseline.yaml")
	regions := strings.Join(applytest.Regions, ",")
	if code, _, stderr := run(t, "init", "--regions", regions, "-o", path); code != ExitOK {
		t.Fatalf("init exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{`security_account: "security"`, `log_archive_account: "log-archive"`, `shared_services_account: "shared-services"`} {
		if !strings.Contains(text, want) {
			t.Fatalf("init did not recognise %s:\n%s", want, text)
		}
	}
	text = strings.Replace(text, "  accounts:\n", "  accounts:\n    \"workload\": {category: prod, owner: team-a}\n", 1)
	text = strings.Replace(text, "  emails: []", "  emails: [security-alerts@example.com]", 1)
	ids := catalog.SortedKeys(emulator.CannotApply)
	if len(ids) > 0 {
		text += "controls:\n"
		for _, id := range ids {
			text += "  " + id + ": {enabled: false}  # " + emulator.CannotApply[id] + "\n"
		}
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func decodePlan(t *testing.T, s string) *plan.Plan {
	t.Helper()
	var p plan.Plan
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, s)
	}
	return &p
}

// TestPlanApplyConverges is the acceptance test: on a 5-account
// organization, init writes the config, plan lists changes (exit 4), apply
// makes them, a second plan is empty (exit 0), and the audit passes every
// enabled automated control on every account and region.
func TestPlanApplyConverges(t *testing.T) {
	env := applytest.NewOrg(t)
	dir := t.TempDir()
	cfg := writeE2EConfig(t, dir)
	regions := strings.Join(applytest.Regions, ",")

	code, stdout, stderr := run(t, "plan", "-f", cfg, "--format", "json", "-out", filepath.Join(dir, "plan.json"))
	if code != ExitChanges {
		t.Fatalf("first plan exit %d, want %d: %s", code, ExitChanges, stderr)
	}
	first := decodePlan(t, stdout)
	if len(first.Changes) == 0 {
		t.Fatal("first plan has no changes")
	}
	for _, c := range first.Changes {
		if c.ControlID == "" || c.AccountID == "" || c.Action == "" || c.Resource == "" {
			t.Fatalf("change without control, account, action or resource: %+v", c)
		}
	}
	if len(first.Manual) == 0 {
		t.Fatal("plan lists no manual steps")
	}
	code, _, stderr = run(t, "plan", "-f", cfg)
	if code != ExitChanges || stderr != "" {
		t.Fatalf("table plan exit %d: %s", code, stderr)
	}

	code, _, stderr = run(t, "apply", filepath.Join(dir, "plan.json"), "-f", cfg, "--auto-approve")
	if code != ExitOK {
		t.Fatalf("apply exit %d:\n%s", code, stderr)
	}

	code, stdout, stderr = run(t, "plan", "-f", cfg, "--format", "json")
	if code != ExitOK {
		t.Fatalf("second plan exit %d, want 0: %s\n%s", code, stderr, stdout)
	}
	if second := decodePlan(t, stdout); len(second.Changes) != 0 {
		t.Fatalf("second plan has %d changes: %+v", len(second.Changes), second.Changes)
	}

	code, stdout, stderr = run(t, "audit", "-f", cfg, "--org", "--regions", regions, "--format", "json")
	if code != ExitOK {
		t.Fatalf("audit exit %d: %s", code, stderr)
	}
	res := decodeAudit(t, stdout)
	planned := map[string]bool{}
	for _, id := range first.Scope.Controls {
		planned[id] = true
	}
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if !planned[f.ControlID] {
			continue
		}
		seen[f.ControlID] = true
		if f.Status != catalog.StatusPass && f.Status != catalog.StatusSkip {
			t.Errorf("after apply: %s %s %s %s: %s %s", f.ControlID, f.AccountID, f.Region, f.Resource, f.Status, f.Reason)
		}
	}
	var missing []string
	for id := range planned {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no audit findings for planned controls %v", missing)
	}
	_ = env
}

// TestApplyRefusesStalePlan: a saved plan is not applied once the
// organization changed under it, and nothing is written.
func TestApplyRefusesStalePlan(t *testing.T) {
	env := applytest.NewOrg(t)
	dir := t.TempDir()
	cfg := writeE2EConfig(t, dir)
	saved := filepath.Join(dir, "plan.json")
	if code, _, stderr := run(t, "plan", "-f", cfg, "--target", "iam.password-policy", "--out", saved); code != ExitChanges {
		t.Fatalf("plan exit %d: %s", code, stderr)
	}
	// Someone fixes one account by hand in the meantime.
	if _, err := iamClient(env, "workload").UpdateAccountPasswordPolicy(context.Background(), strongPolicy()); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "apply", saved, "-f", cfg, "--auto-approve")
	if code != ExitUsage || !strings.Contains(stderr, "stale") || !strings.Contains(stderr, env.Org.AccountID("workload")) {
		t.Fatalf("apply of a stale plan: exit %d, stderr %q", code, stderr)
	}
	// Nothing was applied: the other accounts still have no policy.
	if _, err := iamClient(env, "security").GetAccountPasswordPolicy(context.Background(), &iam.GetAccountPasswordPolicyInput{}); err == nil {
		t.Fatal("a stale plan was partly applied")
	}
}

// TestPlanConfigErrorNamesLine: a bad baseline.yaml stops plan with exit 2
// and the file, line and column of the mistake.
func TestPlanConfigErrorNamesLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.yaml")
	if err := os.WriteFile(path, []byte("version: 1\nregions:\n  allowed: [us-east-1]\n  denied: [eu-west-1]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "plan", "-f", path)
	if code != ExitUsage || !strings.Contains(stderr, path+":4:3") || !strings.Contains(stderr, "denied") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func iamClient(env *applytest.Env, name string) *iam.Client {
	return iam.NewFromConfig(env.Config(name, applytest.Regions[0]))
}

func strongPolicy() *iam.UpdateAccountPasswordPolicyInput {
	return &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14), PasswordReusePrevention: aws.Int32(24),
		RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, HardExpiry: aws.Bool(false)}
}
