package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "s3.access-log-bucket",
	Title:    "A central S3 server-access-log bucket exists and every bucket logs to it",
	Stage:    "F4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "Server access logs record every request to a bucket, reads included, which CloudTrail records only " +
		"for the data events it is told to. S3 delivers them only to a bucket of the same account and region, so " +
		"each account keeps one access-log bucket per region (replicated to the log-archive account) and every " +
		"other bucket logs to it.",
	Steps: "Create one access-log bucket per account and region (Object Ownership: bucket owner enforced, a policy " +
		"letting logging.s3.amazonaws.com write), then point every other bucket at it.\n" +
		"Console: S3 > the bucket > Properties > Server access logging > Edit > Enable, target the access-log bucket.\n" +
		"CLI: aws s3api put-bucket-logging --bucket <b> --bucket-logging-status " +
		"'{\"LoggingEnabled\":{\"TargetBucket\":\"<access-log-bucket>\",\"TargetPrefix\":\"<b>/\"}}'",
	Reads: []string{"s3:ListBuckets"},
	Check: func(e *catalog.Eval) {
		s := s3Of(e)
		if s == nil {
			return
		}
		if len(s.Buckets) == 0 {
			e.Pass("", "no bucket in the account")
			return
		}
		byName := map[string]*snapshot.Bucket{}
		sources := map[string]int{} // target bucket → buckets logging to it
		for i := range s.Buckets {
			b := &s.Buckets[i]
			byName[b.Name] = b
			if b.LoggingTarget != "" && b.LoggingTarget != b.Name {
				sources[b.LoggingTarget]++
			}
		}
		for i := range s.Buckets {
			b := &s.Buckets[i]
			arn := bucketARN(b.Region, b.Name)
			if err := bucketReadFailed(e.Snap, e.Account.AccountID, b, "s3:GetBucketLogging"); err != nil {
				e.ReadFailed(arn, err)
				continue
			}
			target := byName[b.LoggingTarget]
			switch {
			case sources[b.Name] > 0:
				e.Pass(arn, "bucket %s is the access-log bucket of %s", b.Name, plural(sources[b.Name], "bucket"))
			case grantsServerAccessLogs(b.Policy):
				// Made ready before any bucket of its region logs to it.
				e.Pass(arn, "bucket %s is an access-log bucket: its policy lets S3 server access logging write to it", b.Name)
			case b.LoggingTarget == "":
				e.Fail(arn, "bucket %s does not log server access: %s", b.Name, accessLogHint(s, sources, b.Region))
			case b.LoggingTarget == b.Name:
				e.Fail(arn, "bucket %s logs server access to itself, so every log delivery is logged again: %s",
					b.Name, accessLogHint(s, sources, b.Region))
			case target == nil:
				e.Fail(arn, "bucket %s logs server access to %s, which is not a bucket of this account (S3 delivers to the same account only)",
					b.Name, b.LoggingTarget)
			default:
				e.Pass(arn, "bucket %s logs server access to %s", b.Name, target.Name)
			}
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			failing := failures(p)
			if p.Account.Global.S3 == nil {
				return
			}
			acct := p.Account.AccountID
			// Every region gets its access-log bucket, even before it has
			// buckets, so that what other controls create logs to it at once.
			for _, r := range assessedRegions(p.Account) {
				planAccessLogBucket(p, acct, r)
			}
			for _, b := range failingBuckets(p, failing) {
				planBucketLogging(p, acct, b)
			}
		},
		Ops: bucketOps,
	},
})

// accessLogHint names the access-log bucket other buckets of the region
// already use, or says to create one.
func accessLogHint(s *snapshot.S3, sources map[string]int, region string) string {
	best, n := "", 0
	for i := range s.Buckets {
		b := &s.Buckets[i]
		if b.Region == region && sources[b.Name] > n {
			best, n = b.Name, sources[b.Name]
		}
	}
	if best == "" {
		return "create an access-log bucket in " + region + " and log to it"
	}
	return "log to " + best + ", the access-log bucket of " + region
}
