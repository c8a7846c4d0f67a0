package controls

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "backup.vault-lock",
	Title:    "Backup vaults in use have Vault Lock",
	Stage:    "M2",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "Ransomware operators delete backups before encrypting data. Vault Lock makes recovery points " +
		"immutable for their retention period, even for the account's administrators and root once the lock is " +
		"in compliance mode.",
	Steps: "Lock every vault that holds recovery points or that a backup plan writes or copies to (governance mode " +
		"first; compliance mode after the grace period makes it irreversible).\n" +
		"Console: AWS Backup > Backup vaults > the vault > Vault lock > Create vault lock.\n" +
		"CLI: aws backup put-backup-vault-lock-configuration --backup-vault-name <vault> --min-retention-days 7 " +
		"--max-retention-days 365 [--changeable-for-days 3]",
	Reads: []string{"backup:ListBackupVaults", "backup:ListBackupPlans"},
	Check: func(e *catalog.Eval) {
		b := e.R.Backup
		if b == nil {
			e.NotCollected("backup")
			return
		}
		if len(b.Vaults) == 0 {
			e.Pass("", "no backup vault in %s", e.Region)
			return
		}
		for _, v := range b.Vaults {
			used := v.RecoveryPoints > 0 || backupTarget(e.Snap, e.Account.AccountID, e.Region, v)
			switch {
			case v.Locked:
				e.Pass(v.Arn, "vault %s is locked (minimum retention %d days)", v.Name, v.MinRetentionDays)
			case !used:
				e.Pass(v.Arn, "vault %s is not locked but holds no recovery points and no backup plan writes to it", v.Name)
			default:
				e.Fail(v.Arn, "vault %s holds %d recovery points or receives backups but has no Vault Lock: "+
					"anyone with backup:DeleteRecoveryPoint can erase them", v.Name, v.RecoveryPoints)
			}
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			for _, f := range failures(p) {
				i := slices.IndexFunc(p.R.Backup.Vaults, func(v snapshot.BackupVault) bool { return v.Arn == f.Resource })
				if i < 0 {
					continue
				}
				v := p.R.Backup.Vaults[i]
				p.Here().Update("vault-lock", v.Arn, v, vaultSpec{Name: v.Name,
					MinRetentionDays: lockRetention(p.Snap, p.Settings, p.Account.AccountID, p.Region, v)})
			}
		},
		Ops: map[string]catalog.Op{"vault-lock": decodedOp(func(ctx context.Context, cfg aws.Config, v vaultSpec) error {
			return lockVault(ctx, backup.NewFromConfig(cfg), v)
		})},
	},
})

// lockRetention is the minimum retention a vault's lock can have without
// failing the backups written to it: the baseline's retention, or less when
// a rule writing or copying to the vault keeps recovery points for less.
func lockRetention(snap *snapshot.Snapshot, s *catalog.Settings, account, region string, v snapshot.BackupVault) int64 {
	days := int64(s.BackupRetentionDays)
	for _, rule := range rulesInto(snap, account, region, v) {
		if rule.DeleteAfterDays > 0 {
			days = min(days, rule.DeleteAfterDays)
		}
	}
	return max(days, 1)
}
