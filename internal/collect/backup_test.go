package collect

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
)

// fakeBackup has one plan, keeping recovery points 35 days, with one
// selection: by tag when tagged, else by resource ARN. The emulator does not
// implement backup selections, so the PASS and FAIL of backup.plan are
// shown here. Every read fails with err when set.
type fakeBackup struct {
	err    error
	tagged bool
}

func (f fakeBackup) ListBackupVaults(context.Context, *backup.ListBackupVaultsInput, ...func(*backup.Options)) (*backup.ListBackupVaultsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &backup.ListBackupVaultsOutput{BackupVaultList: []backuptypes.BackupVaultListMember{{BackupVaultName: aws.String("main"),
		BackupVaultArn: aws.String("arn:aws:backup:us-east-1:111111111111:backup-vault:main"), Locked: aws.Bool(true), MinRetentionDays: aws.Int64(7)}}}, nil
}

func (f fakeBackup) ListBackupPlans(context.Context, *backup.ListBackupPlansInput, ...func(*backup.Options)) (*backup.ListBackupPlansOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &backup.ListBackupPlansOutput{BackupPlansList: []backuptypes.BackupPlansListMember{{BackupPlanId: aws.String("p1"), BackupPlanName: aws.String("daily")}}}, nil
}

func (f fakeBackup) GetBackupPlan(context.Context, *backup.GetBackupPlanInput, ...func(*backup.Options)) (*backup.GetBackupPlanOutput, error) {
	return &backup.GetBackupPlanOutput{BackupPlan: &backuptypes.BackupPlan{Rules: []backuptypes.BackupRule{{RuleName: aws.String("daily"),
		TargetBackupVaultName: aws.String("main"), Lifecycle: &backuptypes.Lifecycle{DeleteAfterDays: aws.Int64(35)}}}}}, nil
}

func (f fakeBackup) ListBackupSelections(context.Context, *backup.ListBackupSelectionsInput, ...func(*backup.Options)) (*backup.ListBackupSelectionsOutput, error) {
	return &backup.ListBackupSelectionsOutput{BackupSelectionsList: []backuptypes.BackupSelectionsListMember{{SelectionId: aws.String("s1")}}}, nil
}

func (f fakeBackup) GetBackupSelection(context.Context, *backup.GetBackupSelectionInput, ...func(*backup.Options)) (*backup.GetBackupSelectionOutput, error) {
	sel := &backuptypes.BackupSelection{SelectionName: aws.String("s1"), Resources: []string{"arn:aws:dynamodb:us-east-1:111111111111:table/orders"}}
	if f.tagged {
		sel.Resources = []string{"*"}
		sel.ListOfTags = []backuptypes.Condition{{ConditionKey: aws.String("backup"), ConditionValue: aws.String("daily"), ConditionType: backuptypes.ConditionTypeStringequals}}
		sel.Conditions = &backuptypes.Conditions{StringLike: []backuptypes.ConditionParameter{
			{ConditionKey: aws.String("aws:ResourceTag/env"), ConditionValue: aws.String("prod*")}}}
	}
	return &backup.GetBackupSelectionOutput{BackupSelection: sel}, nil
}

func TestBackupCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "backup", "us-east-1")
	collectBackup(context.Background(), task, fakeBackup{err: errAccessDenied})
	if got, want := recordedOps(t, snap()), []string{"backup:ListBackupPlans", "backup:ListBackupVaults"}; !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
	expectDenied(t, snap(), "backup.plan", "backup.vault-lock", "backup.cross-region")
}

func TestBackupPlanSelections(t *testing.T) {
	for _, c := range []struct {
		tagged bool
		want   catalog.Status
		reason string
	}{
		{true, catalog.StatusPass, "plan daily in us-east-1 backs up resources tagged backup=daily or env~prod*, keeping recovery points 35 days"},
		{false, catalog.StatusFail, "plan daily in us-east-1 selects no resources by tag"},
	} {
		task, snap := fakeTask(t, "backup", "us-east-1")
		collectBackup(context.Background(), task, fakeBackup{tagged: c.tagged})
		if len(snap().Errors) > 0 {
			t.Fatalf("errors: %+v", snap().Errors)
		}
		ctl, _ := catalog.Get("backup.plan")
		res := audit.Run(snap(), audit.Options{Settings: catalog.Defaults(), Controls: []*catalog.Control{ctl}})
		if len(res.Findings) != 1 || res.Findings[0].Status != c.want || !strings.Contains(res.Findings[0].Reason, c.reason) {
			t.Errorf("tagged=%v: findings %+v, want %s containing %q", c.tagged, res.Findings, c.want, c.reason)
		}
	}
}
