package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "s3.inventory",
	Title:    "S3 Inventory is configured on the log-archive account's buckets",
	Stage:    "F7",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.Low,
	Rationale: "The log archive is evidence: a daily inventory lists every object with its size, encryption, " +
		"replication and Object Lock status, so a missing, unencrypted or unreplicated log is noticed without " +
		"listing millions of keys by hand.",
	Steps: "In the log-archive account, add a daily inventory (all versions, with encryption, replication and " +
		"Object Lock fields) to every bucket, delivered to a separate inventory bucket.\n" +
		"Console: S3 > the bucket > Management > Inventory configurations > Create.\n" +
		"CLI: aws s3api put-bucket-inventory-configuration --bucket <b> --id daily --inventory-configuration " +
		"'{\"Id\":\"daily\",\"IsEnabled\":true,\"IncludedObjectVersions\":\"All\",\"Schedule\":{\"Frequency\":\"Daily\"}," +
		"\"Destination\":{\"S3BucketDestination\":{\"Bucket\":\"arn:aws:s3:::<inventory-bucket>\",\"Format\":\"Parquet\"}}}'",
	Reads: []string{"s3:ListBuckets"},
	Knob:  "organization.log_archive_account",
	NotApplicable: func(e *catalog.Eval) string {
		if la := e.Designated("log-archive"); la != nil && la.AccountID != e.Account.AccountID {
			return "S3 Inventory is required on the log-archive account " + accountLabel(la) + " only"
		}
		return ""
	},
	Check: func(e *catalog.Eval) {
		if designatedAssessed(e, "log-archive", "organization.log_archive_account") == nil {
			return
		}
		s := s3Of(e)
		if s == nil {
			return
		}
		if len(s.Buckets) == 0 {
			e.Pass("", "the log-archive account has no bucket")
			return
		}
		for i := range s.Buckets {
			b := &s.Buckets[i]
			arn := bucketARN(b.Region, b.Name)
			if err := bucketReadFailed(e.Snap, e.Account.AccountID, b, "s3:ListBucketInventoryConfigurations"); err != nil {
				e.ReadFailed(arn, err)
				continue
			}
			if b.Inventories == 0 {
				e.Fail(arn, "log-archive bucket %s has no enabled inventory configuration: add a daily inventory", b.Name)
				continue
			}
			e.Pass(arn, "log-archive bucket %s has %s", b.Name, plural(b.Inventories, "enabled inventory configuration"))
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			failing := failures(p)
			la := p.Designated("log-archive")
			switch {
			case la == nil:
				if p.IsManagement() {
					p.DesignatedOrBlock("log-archive") // said once, not per account
				}
				return
			case la.AccountID != p.Account.AccountID || la.Global.S3 == nil:
				return
			}
			// Every region gets its inventory bucket, so that the buckets
			// other controls create there report to it at once.
			for _, r := range assessedRegions(la) {
				planInventoryBucket(p, la.AccountID, r)
			}
			for _, b := range failingBuckets(p, failing) {
				dest := planInventoryBucket(p, la.AccountID, b.Region)
				p.At(la.AccountID, b.Region).Update("bucket-inventory", bucketARN(b.Region, b.Name), bucketFix{Bucket: b.Name, Region: b.Region},
					bucketFix{Bucket: b.Name, Region: b.Region, InventoryTo: inventoryBucket(p.Settings, la.AccountID, b.Region)}, dest)
			}
		},
		Ops: bucketOps,
	},
})
