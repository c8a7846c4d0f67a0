package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
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
})
