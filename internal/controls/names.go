package controls

import (
	"fmt"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// The names apply gives what it creates. Controls that refer to each other's
// resources (the trail to its bucket and key, the alert rules to the topic)
// take them from here, and every name starts with the configured prefix so
// that the plan finds what an earlier apply made.
//
// A change's Resource is the resource's ARN where it has one that can be
// known before creation (bucketARN for buckets), else "type/name"; DependsOn refers to it through
// catalog.Ref(account, region, resource).

// trailBucketName is the organization trail's bucket in the log-archive account.
func trailBucketName(s *catalog.Settings, logArchive string) string {
	return s.Name("cloudtrail", logArchive)
}

// trailReplicaBucket is its copy in the replica region.
func trailReplicaBucket(s *catalog.Settings, logArchive string) string {
	return s.Name("cloudtrail", logArchive, "replica")
}

// accessLogBucket receives the S3 server access logs of an account's buckets
// in one region (S3 logs only to a bucket of the same account and region).
func accessLogBucket(s *catalog.Settings, account, region string) string {
	return s.Name("s3-access-logs", account, region)
}

// trailKeyAlias is the KMS key of the trail and its bucket, in the log-archive account.
func trailKeyAlias(s *catalog.Settings) string { return "alias/" + s.Name("cloudtrail") }

// trailKeyAliasARN lets the trail, in the management account, name the key.
func trailKeyAliasARN(s *catalog.Settings, logArchive string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:%s", s.HomeRegion, logArchive, trailKeyAlias(s))
}

// orgTrail is the organization trail, in the management account's home region.
func orgTrail(s *catalog.Settings) string { return s.Name("org-trail") }

// alertTopic is the SNS topic of security alerts, in the security account.
func alertTopic(s *catalog.Settings) string { return s.Name("security-alerts") }

func topicARN(s *catalog.Settings, account, name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.HomeRegion, account, name)
}

// trailQueue is the SQS queue `trail watch` reads, fed by the trail bucket's
// notifications, in the security account.
func trailQueue(s *catalog.Settings) string { return s.Name("trail-events") }

// role names of the roles apply creates in every account.
func auditRole(s *catalog.Settings) string   { return s.Name("audit") }
func supportRole(s *catalog.Settings) string { return s.Name("support") }
