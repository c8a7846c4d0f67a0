package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// trailBucketReads are the reads of a trail bucket's settings, done in the
// log-archive account.
var trailBucketReads = []string{"s3:GetBucketLocation", "s3:GetPublicAccessBlock", "s3:GetBucketVersioning", "s3:GetBucketLogging"}

var _ = catalog.Register(&catalog.Control{
	ID:       "cloudtrail.bucket-secured",
	Title:    "The trail bucket is in the log-archive account, private, versioned and access-logged",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.High,
	Rationale: "Whoever controls the bucket controls the evidence. In a separate log-archive account that workload " +
		"administrators cannot reach, with public access blocked, versioning keeping overwritten or deleted logs, and " +
		"server access logs showing who read them, the trail survives the compromise of any other account.",
	Steps: "In the log-archive account: create the bucket with a policy letting cloudtrail.amazonaws.com write " +
		"AWSLogs/<org-id>/*, then turn on Block Public Access, versioning and server access logging:\n" +
		"CLI: aws s3api put-public-access-block --bucket <b> --public-access-block-configuration " +
		"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
		"     aws s3api put-bucket-versioning --bucket <b> --versioning-configuration Status=Enabled\n" +
		"     aws s3api put-bucket-logging --bucket <b> --bucket-logging-status " +
		"'{\"LoggingEnabled\":{\"TargetBucket\":\"<access-log-bucket>\",\"TargetPrefix\":\"<b>/\"}}'\n" +
		"and point the trail at it: aws cloudtrail update-trail --name <trail> --s3-bucket-name <b>",
	Reads: []string{"cloudtrail:DescribeTrails", "s3:GetPublicAccessBlock", "s3:GetBucketVersioning", "s3:GetBucketLogging"},
	Knob:  "organization.log_archive_account",
	Check: func(e *catalog.Eval) {
		la := designatedAssessed(e, "log-archive", "organization.log_archive_account")
		if la == nil {
			return
		}
		if la.Global.S3 == nil {
			e.Errorf("", "S3 was not collected in the log-archive account %s", la.AccountID)
			return
		}
		eachTrail(e, func(tr *snapshot.Trail, label string) { trailBucket(e, la, tr, label) })
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			planEachTrail(p, func(tr *snapshot.Trail, ofRecord bool) {
				if !ofRecord {
					blockOtherTrail(p, tr, "secures the bucket of")
					return
				}
				la := p.DesignatedOrBlock("log-archive")
				if la == nil {
					return
				}
				if b := bucketNamed(p.Snap, la.AccountID, tr.S3Bucket); b != nil {
					secureTrailBucket(p, la, b)
					return
				}
				bucket := planTrailStorage(p, la.AccountID)
				updateTrail(p, tr, trailUpdate{S3Bucket: tr.S3Bucket}, trailUpdate{S3Bucket: trailBucketName(p.Settings, la.AccountID)}, bucket)
			})
		},
		Ops: trailOps,
	},
})

// secureTrailBucket plans what the trail's bucket in the log-archive account
// lacks. Its access logging is s3.access-log-bucket's when that control,
// which the bucket fails too, takes part in the plan.
func secureTrailBucket(p *catalog.Planner, la *snapshot.Account, b *snapshot.Bucket) {
	w := p.At(la.AccountID, b.Region)
	if !b.PublicAccessBlock.All() && !la.Global.S3.AccountPublicAccessBlock.All() {
		planBlockPublicAccess(w, b)
	}
	if b.Versioning != "Enabled" {
		planVersioning(w, b)
	}
	if b.LoggingTarget == "" && !p.Enabled("s3.access-log-bucket") {
		planBucketLogging(p, la.AccountID, b)
	}
}

// trailBucket checks the bucket of one trail in the log-archive account.
func trailBucket(e *catalog.Eval, la *snapshot.Account, tr *snapshot.Trail, label string) {
	s3 := la.Global.S3
	var b *snapshot.Bucket
	for i := range s3.Buckets {
		if s3.Buckets[i].Name == tr.S3Bucket {
			b = &s3.Buckets[i]
		}
	}
	if b == nil {
		if err := failedReadIn(e.Snap, la.AccountID, "", "s3:ListBuckets", ""); err != nil {
			e.ReadFailed(tr.Arn, err)
			return
		}
		e.Fail(tr.Arn, "%s delivers to bucket %s, which is not in the log-archive account %s", label, tr.S3Bucket, la.AccountID)
		return
	}
	for _, op := range trailBucketReads {
		if err := failedReadIn(e.Snap, la.AccountID, "", op, b.Name); err != nil {
			e.ReadFailed(tr.Arn, err)
			return
		}
	}
	var gaps []string
	if !b.PublicAccessBlock.All() && !s3.AccountPublicAccessBlock.All() {
		if err := failedReadIn(e.Snap, la.AccountID, "", "s3control:GetPublicAccessBlock", ""); err != nil {
			e.ReadFailed(tr.Arn, err)
			return
		}
		gaps = append(gaps, "Block Public Access is not fully on")
	}
	if b.Versioning != "Enabled" {
		gaps = append(gaps, "versioning is off")
	}
	if b.LoggingTarget == "" {
		gaps = append(gaps, "server access logging is off")
	}
	if len(gaps) > 0 {
		e.Fail(tr.Arn, "%s delivers to bucket %s in the log-archive account, but %s", label, b.Name, strings.Join(gaps, ", "))
		return
	}
	e.Pass(tr.Arn, "%s delivers to bucket %s in the log-archive account %s: private, versioned, access-logged to %s",
		label, b.Name, la.AccountID, b.LoggingTarget)
}
