package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "backup.cross-region",
	Title:    "Backups or log buckets are replicated to another region",
	Stage:    "F2",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "A copy in the same region shares its fate: a regional outage, or an attacker who reaches the " +
		"region's vaults and buckets, takes both. A backup rule that copies to another region, or log buckets " +
		"that replicate there, keep one copy out of reach.",
	Steps: "Add a copy action to a backup rule targeting a vault in another region (ideally another account), " +
		"and replicate log buckets to a bucket in another region.\n" +
		"Console: AWS Backup > Backup plans > the plan > the rule > Edit > Copy to destination; " +
		"S3 > the bucket > Management > Replication rules > Create.\n" +
		"CLI: aws backup update-backup-plan --backup-plan-id <id> --backup-plan '{...\"CopyActions\":" +
		"[{\"DestinationBackupVaultArn\":\"arn:aws:backup:<other-region>:<account>:backup-vault:<vault>\"}]...}'\n" +
		"     aws s3api put-bucket-replication --bucket <b> --replication-configuration file://replication.json",
	Reads: []string{"backup:ListBackupPlans", "s3:ListBuckets"},
	Check: func(e *catalog.Eval) {
		var readErr *snapshot.Error
		for _, region := range assessedRegions(e.Account) {
			b := e.Account.Regions[region].Backup
			if b == nil {
				e.NotCollected("backup")
				return
			}
			for _, p := range b.Plans {
				if err := failedReadIn(e.Snap, e.Account.AccountID, region, "backup:GetBackupPlan", p.ID); err != nil {
					readErr = err
					continue
				}
				for _, r := range p.Rules {
					for _, dest := range r.CopyTo {
						if _, to, _, _, ok := arnFields(dest); ok && to != region {
							e.Pass("", "rule %s of %s copies recovery points to %s", r.Name, backupPlanLabel(p, region), dest)
							return
						}
					}
				}
			}
		}
		s := s3Of(e)
		if s == nil {
			return
		}
		logs := logBuckets(e, s)
		var unreplicated []string
		for _, b := range logs {
			if err := bucketReadFailed(e.Snap, e.Account.AccountID, b, "s3:GetBucketReplication"); err != nil {
				readErr = err
				continue
			}
			switch {
			case replicatesAway(e.Snap, b):
			case len(b.Replication) > 0:
				unreplicated = append(unreplicated, b.Name+" (replicates to "+strings.Join(b.Replication, ", ")+
					", not an assessed bucket of another region)")
			default:
				unreplicated = append(unreplicated, b.Name)
			}
		}
		switch {
		case len(logs) > 0 && len(unreplicated) == 0 && readErr == nil:
			names := make([]string, len(logs))
			for i, b := range logs {
				names[i] = b.Name
			}
			e.Pass("", "no backup rule copies to another region, but the log buckets (%s) replicate to another region", listOf(names))
		case readErr != nil:
			e.ReadFailed("", readErr)
		case len(logs) == 0:
			e.Fail("", "no backup rule copies to another region and the account has no log bucket to replicate: add a cross-region copy action")
		default:
			e.Fail("", "no backup rule copies to another region and log buckets %s do not replicate to another region", listOf(unreplicated))
		}
	},
	Fix: &catalog.Fix{Plan: planBackupCopy, Ops: backupOps},
})

// logBuckets are the account's buckets that hold logs: every bucket of the
// log-archive account; elsewhere, the buckets that receive server access
// logs, trails or AWS Config deliveries.
func logBuckets(e *catalog.Eval, s *snapshot.S3) []*snapshot.Bucket {
	archive := e.Designated("log-archive")
	targets := map[string]bool{}
	for _, b := range s.Buckets {
		if b.LoggingTarget != "" {
			targets[b.LoggingTarget] = true
		}
	}
	for _, a := range e.Snap.Accounts {
		for _, r := range a.Regions {
			if r.CloudTrail != nil {
				for _, t := range r.CloudTrail.Trails {
					targets[t.S3Bucket] = true
				}
			}
			if r.Config != nil {
				for _, d := range r.Config.DeliveryChannels {
					targets[d.S3Bucket] = true
				}
			}
		}
	}
	var out []*snapshot.Bucket
	for i := range s.Buckets {
		if b := &s.Buckets[i]; targets[b.Name] || (archive != nil && archive.AccountID == e.Account.AccountID) {
			out = append(out, b)
		}
	}
	return out
}

// replicatesAway reports whether a bucket replicates to a bucket known to
// be in another region. A destination outside the snapshot has no known
// region and proves nothing.
func replicatesAway(snap *snapshot.Snapshot, b *snapshot.Bucket) bool {
	for _, dest := range b.Replication {
		name := dest[strings.LastIndex(dest, ":")+1:]
		for _, a := range snap.Accounts {
			if a.Global.S3 == nil {
				continue
			}
			for _, d := range a.Global.S3.Buckets {
				if d.Name == name && d.Region != "" && d.Region != b.Region {
					return true
				}
			}
		}
	}
	return false
}
