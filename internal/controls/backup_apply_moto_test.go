package controls_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

var backupControls = []string{"backup.plan", "backup.cross-region", "backup.vault-lock"}

// The vaults (locked), the plan and its copy to the replica region converge
// on moto. The selection cannot: moto implements neither
// CreateBackupSelection nor ListBackupSelections, so it is left out of the
// apply here (its op runs against a fake in backup_apply_test.go) and
// backup.plan stays blocked on the unreadable selections.
func TestApplyBackup(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	first := env.Plan(t, backupControls...)
	for what, want := range map[string]int{"|vault": 10, "|plan": 5, "|role": 5, "|selection": 5} {
		if got := len(applytest.Changes(first, what)); got != want {
			t.Errorf("%d %s changes, want %d (one per account, vaults in both regions)", got, what, want)
		}
	}
	wl := env.Org.AccountID("workload")
	plans := applytest.Changes(first, "backup.plan|"+wl+"|us-east-1|backup-plan/")
	if len(plans) != 1 {
		t.Fatalf("workload plan changes: %+v", plans)
	}
	replica := "arn:aws:backup:eu-west-1:" + wl + ":backup-vault:" + env.Settings.Name("backup")
	if !slices.Contains(plans[0].DependsOn, catalog.Ref(wl, "eu-west-1", replica)) {
		t.Errorf("the plan does not wait for the vault it copies to: %v", plans[0].DependsOn)
	}

	applied := *first
	applied.Changes = slices.DeleteFunc(slices.Clone(first.Changes), func(c catalog.Change) bool { return c.Op == "selection" })
	env.Apply(t, &applied)

	second := env.Plan(t, backupControls...)
	if !second.Empty() {
		t.Fatalf("still planned: %+v", second.Changes)
	}
	for _, b := range second.Blocked {
		if b.ControlID != "backup.plan" || !strings.Contains(b.Reason, "ListBackupSelections") {
			t.Errorf("blocked: %+v", b)
		}
	}
	if len(second.Blocked) != 5 {
		t.Errorf("%d blocked, want backup.plan in each account: %+v", len(second.Blocked), second.Blocked)
	}
	expectPass(t, env, "backup.cross-region", "backup.vault-lock")
	vaults, err := backup.NewFromConfig(env.Config("workload", "eu-west-1")).ListBackupVaults(ctx, &backup.ListBackupVaultsInput{})
	if err != nil || len(vaults.BackupVaultList) != 1 || !aws.ToBool(vaults.BackupVaultList[0].Locked) ||
		aws.ToInt64(vaults.BackupVaultList[0].MinRetentionDays) != 35 {
		t.Fatalf("replica vault %+v, %v", vaults, err)
	}

	// Drift: someone's vault in use without a lock. Its lock keeps the
	// retention of the rule that writes to it, so its backups still run.
	api := backup.NewFromConfig(env.Config("workload", "eu-west-1"))
	ok := fixtureOK(t)
	ok(api.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String("legacy")}))
	ok(api.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &backuptypes.BackupPlanInput{BackupPlanName: aws.String("legacy"),
		Rules: []backuptypes.BackupRuleInput{{RuleName: aws.String("weekly"), TargetBackupVaultName: aws.String("legacy"),
			Lifecycle: &backuptypes.Lifecycle{DeleteAfterDays: aws.Int64(7)}}}}}))
	drift := env.Plan(t, "backup.vault-lock")
	legacy := "arn:aws:backup:eu-west-1:" + wl + ":backup-vault:legacy"
	if len(drift.Changes) != 1 || drift.Changes[0].Resource != legacy || drift.Changes[0].Action != catalog.Update {
		t.Fatalf("drift plan: %+v", drift.Changes)
	}
	env.Apply(t, drift)
	vault, err := api.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("legacy")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(vault.Locked) || aws.ToInt64(vault.MinRetentionDays) != 7 {
		t.Fatalf("legacy vault: locked %v, minimum retention %d, want 7", aws.ToBool(vault.Locked), aws.ToInt64(vault.MinRetentionDays))
	}
	if again := env.Plan(t, "backup.vault-lock"); !again.Empty() {
		t.Fatalf("still planned: %+v", again.Changes)
	}
}

// expectPass audits the controls and fails on anything but PASS and SKIP.
func expectPass(t *testing.T, env *applytest.Env, ids ...string) {
	t.Helper()
	var cs []*catalog.Control
	for _, id := range ids {
		c, _ := catalog.Get(id)
		cs = append(cs, c)
	}
	res := audit.Run(env.Collect(t, ids...), audit.Options{Settings: env.Settings, Controls: cs})
	for _, f := range res.Findings {
		if f.Status != catalog.StatusPass && f.Status != catalog.StatusSkip {
			t.Errorf("%s %s %s %s: %s %s", f.ControlID, f.AccountID, f.Region, f.Resource, f.Status, f.Reason)
		}
	}
}
