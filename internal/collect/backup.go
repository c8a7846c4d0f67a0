package collect

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "backup", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectBackup(ctx, t, backup.NewFromConfig(t.Config))
	}})
}

// backupAPI is the read-only part of AWS Backup the backup checks need.
// Vault lock state comes with ListBackupVaults, so no vault is described.
type backupAPI interface {
	ListBackupVaults(context.Context, *backup.ListBackupVaultsInput, ...func(*backup.Options)) (*backup.ListBackupVaultsOutput, error)
	ListBackupPlans(context.Context, *backup.ListBackupPlansInput, ...func(*backup.Options)) (*backup.ListBackupPlansOutput, error)
	GetBackupPlan(context.Context, *backup.GetBackupPlanInput, ...func(*backup.Options)) (*backup.GetBackupPlanOutput, error)
	ListBackupSelections(context.Context, *backup.ListBackupSelectionsInput, ...func(*backup.Options)) (*backup.ListBackupSelectionsOutput, error)
	GetBackupSelection(context.Context, *backup.GetBackupSelectionInput, ...func(*backup.Options)) (*backup.GetBackupSelectionOutput, error)
}

func collectBackup(ctx context.Context, t *Task, api backupAPI) {
	s := &snapshot.Backup{}
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 0 {
			var vaults []snapshot.BackupVault
			err := pages(ctx, backup.NewListBackupVaultsPaginator(api, &backup.ListBackupVaultsInput{}), func(p *backup.ListBackupVaultsOutput) {
				for _, v := range p.BackupVaultList {
					vaults = append(vaults, snapshot.BackupVault{Name: aws.ToString(v.BackupVaultName), Arn: aws.ToString(v.BackupVaultArn),
						Locked: aws.ToBool(v.Locked), MinRetentionDays: aws.ToInt64(v.MinRetentionDays), RecoveryPoints: v.NumberOfRecoveryPoints})
				}
			})
			if !t.Failed("ListBackupVaults", err) {
				s.Vaults = vaults
			}
			return
		}
		var plans []snapshot.BackupPlan
		err := pages(ctx, backup.NewListBackupPlansPaginator(api, &backup.ListBackupPlansInput{}), func(p *backup.ListBackupPlansOutput) {
			for _, pl := range p.BackupPlansList {
				plans = append(plans, snapshot.BackupPlan{ID: aws.ToString(pl.BackupPlanId), Name: aws.ToString(pl.BackupPlanName)})
			}
		})
		if t.Failed("ListBackupPlans", err) {
			return
		}
		t.Fan(ctx, len(plans), func(ctx context.Context, j int) { readBackupPlan(ctx, t, api, &plans[j]) })
		s.Plans = plans
	})
	t.Account.Regions[t.Region].Backup = s
}

// readBackupPlan reads a plan's rules and, in parallel, its selections.
func readBackupPlan(ctx context.Context, t *Task, api backupAPI, p *snapshot.BackupPlan) {
	id := aws.String(p.ID)
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 0 {
			out, err := api.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: id})
			if t.FailedOn("GetBackupPlan", p.ID, err) || out.BackupPlan == nil {
				return
			}
			for _, r := range out.BackupPlan.Rules {
				rule := snapshot.BackupRule{Name: aws.ToString(r.RuleName), Vault: aws.ToString(r.TargetBackupVaultName)}
				if r.Lifecycle != nil {
					rule.DeleteAfterDays = aws.ToInt64(r.Lifecycle.DeleteAfterDays)
				}
				for _, c := range r.CopyActions {
					rule.CopyTo = append(rule.CopyTo, aws.ToString(c.DestinationBackupVaultArn))
				}
				p.Rules = append(p.Rules, rule)
			}
			return
		}
		var ids []string
		err := pages(ctx, backup.NewListBackupSelectionsPaginator(api, &backup.ListBackupSelectionsInput{BackupPlanId: id}), func(o *backup.ListBackupSelectionsOutput) {
			for _, sel := range o.BackupSelectionsList {
				ids = append(ids, aws.ToString(sel.SelectionId))
			}
		})
		if t.FailedOn("ListBackupSelections", p.ID, err) {
			return
		}
		var mu sync.Mutex
		t.Fan(ctx, len(ids), func(ctx context.Context, j int) {
			out, err := api.GetBackupSelection(ctx, &backup.GetBackupSelectionInput{BackupPlanId: id, SelectionId: aws.String(ids[j])})
			if t.FailedOn("GetBackupSelection", p.ID, err) || out.BackupSelection == nil {
				return
			}
			sel := backupSelection(out.BackupSelection)
			mu.Lock()
			p.Selections = append(p.Selections, sel)
			mu.Unlock()
		})
	})
}

// backupSelection keeps the positive tag conditions ("key=value", or
// "key~pattern" for StringLike) and the resource ARNs of a selection.
func backupSelection(s *backuptypes.BackupSelection) snapshot.BackupSelection {
	out := snapshot.BackupSelection{Name: aws.ToString(s.SelectionName), Resources: s.Resources}
	for _, c := range s.ListOfTags {
		out.Tags = append(out.Tags, aws.ToString(c.ConditionKey)+"="+aws.ToString(c.ConditionValue))
	}
	if c := s.Conditions; c != nil {
		for _, p := range c.StringEquals {
			out.Tags = append(out.Tags, tagKey(p.ConditionKey)+"="+aws.ToString(p.ConditionValue))
		}
		for _, p := range c.StringLike {
			out.Tags = append(out.Tags, tagKey(p.ConditionKey)+"~"+aws.ToString(p.ConditionValue))
		}
	}
	return out
}

// tagKey strips the aws:ResourceTag/ prefix of a condition key.
func tagKey(k *string) string {
	return strings.TrimPrefix(aws.ToString(k), "aws:ResourceTag/")
}
