package controls

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// moto implements neither backup selections nor UpdateBackupPlan: the
// plans that need them are checked on hand-built snapshots, and their ops
// against this fake.
type fakeBackup struct {
	plans      []backuptypes.BackupPlansListMember
	plan       *backuptypes.BackupPlan
	selections []string
	createErr  error
	created    []*backup.CreateBackupSelectionInput
	updated    []*backup.UpdateBackupPlanInput
}

func (f *fakeBackup) ListBackupPlans(context.Context, *backup.ListBackupPlansInput, ...func(*backup.Options)) (*backup.ListBackupPlansOutput, error) {
	return &backup.ListBackupPlansOutput{BackupPlansList: f.plans}, nil
}

func (f *fakeBackup) GetBackupPlan(context.Context, *backup.GetBackupPlanInput, ...func(*backup.Options)) (*backup.GetBackupPlanOutput, error) {
	return &backup.GetBackupPlanOutput{BackupPlan: f.plan}, nil
}

func (f *fakeBackup) CreateBackupPlan(context.Context, *backup.CreateBackupPlanInput, ...func(*backup.Options)) (*backup.CreateBackupPlanOutput, error) {
	return nil, errors.New("unexpected CreateBackupPlan")
}

func (f *fakeBackup) UpdateBackupPlan(_ context.Context, in *backup.UpdateBackupPlanInput, _ ...func(*backup.Options)) (*backup.UpdateBackupPlanOutput, error) {
	f.updated = append(f.updated, in)
	return &backup.UpdateBackupPlanOutput{}, nil
}

func (f *fakeBackup) ListBackupSelections(context.Context, *backup.ListBackupSelectionsInput, ...func(*backup.Options)) (*backup.ListBackupSelectionsOutput, error) {
	out := &backup.ListBackupSelectionsOutput{}
	for _, s := range f.selections {
		out.BackupSelectionsList = append(out.BackupSelectionsList, backuptypes.BackupSelectionsListMember{SelectionName: aws.String(s)})
	}
	return out, nil
}

func (f *fakeBackup) CreateBackupSelection(_ context.Context, in *backup.CreateBackupSelectionInput, _ ...func(*backup.Options)) (*backup.CreateBackupSelectionOutput, error) {
	if f.createErr != nil {
		return nil, f.createErr
	}
	f.created = append(f.created, in)
	f.selections = append(f.selections, aws.ToString(in.BackupSelection.SelectionName))
	return &backup.CreateBackupSelectionOutput{}, nil
}

func TestEnsureBackupSelection(t *testing.T) {
	ctx := context.Background()
	sel := backupSelectionSpec{Plan: "baseline-backup", Name: "baseline-tagged", Role: "arn:aws:iam::111111111111:role/baseline-backup",
		TagKey: "backup", TagValue: "true"}
	f := &fakeBackup{}
	if err := ensureBackupSelection(ctx, f, sel); !catalog.IsRetryable(err) || !errors.Is(err, errPlanNotVisible) {
		t.Fatalf("plan not listed yet: %v, want a retryable error", err)
	}
	f.plans = []backuptypes.BackupPlansListMember{{BackupPlanName: aws.String("other"), BackupPlanId: aws.String("p0")},
		{BackupPlanName: aws.String("baseline-backup"), BackupPlanId: aws.String("p1")}}
	f.createErr = &smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "IAM Role " + sel.Role + " cannot be assumed by AWS Backup"}
	if err := ensureBackupSelection(ctx, f, sel); !catalog.IsRetryable(err) {
		t.Fatalf("role not assumable yet: %v, want a retryable error", err)
	}
	f.createErr = nil
	for range 2 {
		if err := ensureBackupSelection(ctx, f, sel); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.created) != 1 {
		t.Fatalf("%d selections created by two runs, want 1", len(f.created))
	}
	in := f.created[0]
	tags := in.BackupSelection.ListOfTags
	if aws.ToString(in.BackupPlanId) != "p1" || aws.ToString(in.BackupSelection.IamRoleArn) != sel.Role || len(tags) != 1 ||
		tags[0].ConditionType != backuptypes.ConditionTypeStringequals || aws.ToString(tags[0].ConditionKey) != "backup" ||
		aws.ToString(tags[0].ConditionValue) != "true" {
		t.Fatalf("selection %+v", in)
	}
}

// An update brings the baseline's rule to the wanted retention and copy,
// keeping the plan's other rules and the rule's other copies.
func TestEnsureBackupPlanUpdatesOnlyItsRule(t *testing.T) {
	f := &fakeBackup{plans: []backuptypes.BackupPlansListMember{{BackupPlanName: aws.String("baseline-backup"), BackupPlanId: aws.String("p1")}},
		plan: &backuptypes.BackupPlan{BackupPlanName: aws.String("baseline-backup"), Rules: []backuptypes.BackupRule{
			{RuleName: aws.String("hourly"), TargetBackupVaultName: aws.String("fast"), ScheduleExpression: aws.String("cron(0 * ? * * *)")},
			{RuleName: aws.String("baseline-daily"), TargetBackupVaultName: aws.String("baseline-backup"),
				Lifecycle:   &backuptypes.Lifecycle{DeleteAfterDays: aws.Int64(7)},
				CopyActions: []backuptypes.CopyAction{{DestinationBackupVaultArn: aws.String("arn:aws:backup:ap-south-1:111111111111:backup-vault:dr")}}},
		}}}
	want := backupPlanSpec{Name: "baseline-backup", Rule: "baseline-daily", Vault: "baseline-backup", Schedule: backupSchedule,
		DeleteAfterDays: 35, CopyTo: []string{"arn:aws:backup:eu-west-1:111111111111:backup-vault:baseline-backup"}}
	if err := ensureBackupPlan(context.Background(), f, want); err != nil {
		t.Fatal(err)
	}
	if len(f.updated) != 1 {
		t.Fatalf("%d updates", len(f.updated))
	}
	rules := f.updated[0].BackupPlan.Rules
	if len(rules) != 2 || aws.ToString(rules[0].RuleName) != "hourly" || aws.ToString(rules[0].ScheduleExpression) != "cron(0 * ? * * *)" {
		t.Fatalf("rules %+v", rules)
	}
	ours := rules[1]
	var copies []string
	for _, c := range ours.CopyActions {
		copies = append(copies, aws.ToString(c.DestinationBackupVaultArn))
	}
	if aws.ToInt64(ours.Lifecycle.DeleteAfterDays) != 35 || len(copies) != 2 || copies[0] != want.CopyTo[0] || !strings.Contains(copies[1], ":dr") {
		t.Fatalf("baseline rule: retention %d, copies %v", aws.ToInt64(ours.Lifecycle.DeleteAfterDays), copies)
	}
}

// backupSnapshot is one account whose home region holds plans.
func backupSnapshot(plans ...snapshot.BackupPlan) *snapshot.Snapshot {
	const acct = "111111111111"
	vault := func(region string) []snapshot.BackupVault {
		return []snapshot.BackupVault{{Name: "baseline-backup", Arn: backupVaultARN(region, acct, "baseline-backup"), Locked: true, MinRetentionDays: 35}}
	}
	return &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Regions: []string{"us-east-1", "eu-west-1"},
		Accounts: []*snapshot.Account{{AccountID: acct, Global: snapshot.Global{S3: &snapshot.S3{}}, Regions: map[string]*snapshot.Region{
			"us-east-1": {Backup: &snapshot.Backup{Vaults: vault("us-east-1"), Plans: plans}},
			"eu-west-1": {Backup: &snapshot.Backup{Vaults: vault("eu-west-1")}},
		}}}}
}

func planBackup(t *testing.T, snap *snapshot.Snapshot, ids ...string) *plan.Plan {
	t.Helper()
	s := &catalog.Settings{AllowedRegions: []string{"us-east-1", "eu-west-1"}}
	s.Complete()
	p, err := plan.Build(snap, plan.Options{Settings: s, Targets: ids})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The selection is what moto cannot show: planned when the baseline's plan
// lacks it, with the role it runs as, and nothing once it is there.
func TestPlanBackupSelection(t *testing.T) {
	rule := snapshot.BackupRule{Name: "baseline-daily", Vault: "baseline-backup", DeleteAfterDays: 35,
		CopyTo: []string{backupVaultARN("eu-west-1", "111111111111", "baseline-backup")}}
	ours := snapshot.BackupPlan{ID: "p1", Name: "baseline-backup", Rules: []snapshot.BackupRule{rule}}
	p := planBackup(t, backupSnapshot(ours), backupControls()...)
	var ops []string
	for _, c := range p.Changes {
		ops = append(ops, c.ControlID+" "+c.Op)
	}
	if want := []string{"backup.plan role", "backup.plan selection"}; !slices.Equal(ops, want) {
		t.Fatalf("changes %v, want %v", ops, want)
	}
	ours.Selections = []snapshot.BackupSelection{{Name: "baseline-tagged", Tags: []string{"backup=true"}}}
	if p := planBackup(t, backupSnapshot(ours), backupControls()...); !p.Empty() || len(p.Blocked) > 0 {
		t.Fatalf("converged set-up planned %+v, blocked %+v", p.Changes, p.Blocked)
	}

	// The copy lost: backup.cross-region puts it back (UpdateBackupPlan).
	ours.Rules = []snapshot.BackupRule{{Name: "baseline-daily", Vault: "baseline-backup", DeleteAfterDays: 35}}
	p = planBackup(t, backupSnapshot(ours), backupControls()...)
	if len(p.Changes) != 1 || p.Changes[0].ControlID != "backup.cross-region" || p.Changes[0].Action != catalog.Update {
		t.Fatalf("changes %+v", p.Changes)
	}
	want, err := catalog.Decode[backupPlanSpec](p.Changes[0].After)
	if err != nil || !slices.Equal(want.CopyTo, rule.CopyTo) || want.DeleteAfterDays != 35 {
		t.Fatalf("after %+v, %v", want, err)
	}

	// Someone's plan that passes is adopted; the copy it lacks is not added
	// to a plan the baseline did not make.
	theirs := snapshot.BackupPlan{ID: "p2", Name: "nightly", Rules: []snapshot.BackupRule{{Name: "n", Vault: "v", DeleteAfterDays: 14}},
		Selections: []snapshot.BackupSelection{{Name: "s", Tags: []string{"env=prod"}}}}
	p = planBackup(t, backupSnapshot(theirs), backupControls()...)
	if !p.Empty() || len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0].Reason, "the baseline has no backup plan here") {
		t.Fatalf("changes %+v, blocked %+v", p.Changes, p.Blocked)
	}
}

// Without a second region there is nothing to copy to: blocked, and the
// plan that backup.plan makes has no copy action.
func TestPlanBackupWithoutReplicaRegion(t *testing.T) {
	snap := backupSnapshot()
	snap.Regions = []string{"us-east-1"}
	delete(snap.Accounts[0].Regions, "eu-west-1")
	s := &catalog.Settings{AllowedRegions: []string{"us-east-1"}}
	s.Complete()
	p, err := plan.Build(snap, plan.Options{Settings: s, Targets: backupControls()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0].Reason, "no region to copy backups to") {
		t.Fatalf("blocked %+v", p.Blocked)
	}
	for _, c := range p.Changes {
		if c.Op == "plan" {
			if want, _ := catalog.Decode[backupPlanSpec](c.After); len(want.CopyTo) > 0 {
				t.Fatalf("plan copies to %v with no replica region", want.CopyTo)
			}
		}
	}
}

func backupControls() []string {
	return []string{"backup.plan", "backup.cross-region", "backup.vault-lock"}
}

// Apply stopped after creating the vaults, before locking them: nothing
// uses them yet, so backup.vault-lock passes them, and the set-up locks them.
func TestPlanBackupLocksTheVaultsItLeftUnlocked(t *testing.T) {
	snap := backupSnapshot()
	for _, r := range snap.Accounts[0].Regions {
		r.Backup.Vaults[0].Locked, r.Backup.Vaults[0].MinRetentionDays = false, 0
	}
	p := planBackup(t, snap, backupControls()...)
	var got []string
	for _, c := range p.Changes {
		got = append(got, string(c.Action)+" "+c.Region+" "+c.Op)
	}
	want := []string{"update eu-west-1 vault", "update us-east-1 vault", "create us-east-1 plan", "create  role", "create us-east-1 selection"}
	if !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	for _, c := range p.Changes[:2] {
		if v, _ := catalog.Decode[vaultSpec](c.After); v.MinRetentionDays != 35 {
			t.Fatalf("vault %+v", v)
		}
	}
}
