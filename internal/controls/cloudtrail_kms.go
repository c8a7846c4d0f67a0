package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "cloudtrail.kms",
	Title:    "CloudTrail logs are encrypted with a customer-managed KMS key",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	CIS:      []string{"4.5"},
	Rationale: "With SSE-KMS, reading the logs needs kms:Decrypt on the trail's key as well as s3:GetObject on the bucket: " +
		"a second, separately granted and logged permission that keeps the audit record away from whoever can merely read the bucket.",
	Steps: "Create a symmetric key in the log-archive (or security) account whose policy lets cloudtrail.amazonaws.com " +
		"GenerateDataKey* with the aws:SourceArn of the trail, then:\n" +
		"Console: CloudTrail > Trails > <trail> > General details > Edit > Log file SSE-KMS encryption: Enabled, choose the key.\n" +
		"CLI: aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn>",
	Reads: []string{"cloudtrail:DescribeTrails"},
	Check: func(e *catalog.Eval) {
		eachTrail(e, func(tr *snapshot.Trail, label string) {
			if tr.KMSKeyID != "" {
				e.Pass(tr.Arn, "%s is encrypted with KMS key %s", label, tr.KMSKeyID)
				return
			}
			e.Fail(tr.Arn, "%s is encrypted with S3-managed keys only: encrypt it with a customer-managed KMS key", label)
		})
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			planEachTrail(p, func(tr *snapshot.Trail, ofRecord bool) {
				if !ofRecord {
					blockOtherTrail(p, tr, "encrypts")
					return
				}
				la := p.DesignatedOrBlock("log-archive")
				if la == nil {
					return
				}
				// CloudTrail wants the key in the region of the bucket.
				region := p.Settings.HomeRegion
				if b := bucketNamed(p.Snap, la.AccountID, tr.S3Bucket); b != nil {
					region = b.Region
				}
				key := catalog.Ref(la.AccountID, region, archiveKeyARN(region, la.AccountID, trailKeyAlias(p.Settings)))
				if !movesTrailBucket(p, tr, la.AccountID) {
					planTrailKey(p, la.AccountID, region)
				}
				updateTrail(p, tr, trailUpdate{}, trailUpdate{KMSKeyID: archiveKeyARN(region, la.AccountID, trailKeyAlias(p.Settings))}, key)
			})
		},
		Ops: trailOps,
	},
})
