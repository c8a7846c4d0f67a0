package controls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// backupPlanLabel names a plan in a reason, saying when an organization
// backup policy manages it (those plans' ids start with "orgs/").
func backupPlanLabel(p snapshot.BackupPlan, region string) string {
	if strings.HasPrefix(p.ID, "orgs/") {
		return fmt.Sprintf("plan %s in %s (from an organization backup policy)", p.Name, region)
	}
	return fmt.Sprintf("plan %s in %s", p.Name, region)
}

// backupPlanReadFailed returns a failed read of a plan's rules or selections.
func backupPlanReadFailed(e *catalog.Eval, region, id string) *snapshot.Error {
	for _, op := range []string{"backup:GetBackupPlan", "backup:ListBackupSelections", "backup:GetBackupSelection"} {
		if err := failedReadIn(e.Snap, e.Account.AccountID, region, op, id); err != nil {
			return err
		}
	}
	return nil
}

// taggedSelection returns a selection of the plan that picks resources by tag.
func taggedSelection(p snapshot.BackupPlan) *snapshot.BackupSelection {
	for i := range p.Selections {
		if len(p.Selections[i].Tags) > 0 {
			return &p.Selections[i]
		}
	}
	return nil
}

// retainedRule returns a rule of the plan that expires its recovery points.
func retainedRule(p snapshot.BackupPlan) *snapshot.BackupRule {
	for i := range p.Rules {
		if p.Rules[i].DeleteAfterDays > 0 {
			return &p.Rules[i]
		}
	}
	return nil
}

// backupTarget reports whether a backup plan writes to the vault.
func backupTarget(snap *snapshot.Snapshot, account, region string, v snapshot.BackupVault) bool {
	return len(rulesInto(snap, account, region, v)) > 0
}

// rulesInto returns the backup rules that write to the vault: the rules of
// the same account and region that target it by name, and the rules
// anywhere in the snapshot that copy to its ARN.
func rulesInto(snap *snapshot.Snapshot, account, region string, v snapshot.BackupVault) []snapshot.BackupRule {
	var out []snapshot.BackupRule
	for _, a := range snap.Accounts {
		for name, r := range a.Regions {
			if r.Backup == nil {
				continue
			}
			for _, p := range r.Backup.Plans {
				for _, rule := range p.Rules {
					if (a.AccountID == account && name == region && rule.Vault == v.Name) || slices.Contains(rule.CopyTo, v.Arn) {
						out = append(out, rule)
					}
				}
			}
		}
	}
	return out
}
