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

// configBucketName is the central AWS Config delivery bucket, in the
// log-archive account's home region; every account's recorders deliver to it.
func configBucketName(s *catalog.Settings, logArchive string) string {
	return s.Name("config", logArchive)
}

// configRecorderName and configChannelName name the recorder and delivery
// channel apply creates in each account and region (Config allows one each:
// an existing one is updated under its own name).
func configRecorderName(s *catalog.Settings) string { return s.Name("config") }
func configChannelName(s *catalog.Settings) string  { return s.Name("config") }

// accessAnalyzerName is the organization analyzer of the security account
// in each region (an account analyzer outside an organization).
func accessAnalyzerName(s *catalog.Settings) string { return s.Name("access-analyzer") }

// flowLogGroup is the CloudWatch Logs group of each account and region that
// VPC flow logs deliver to, through the account's flowLogRole.
func flowLogGroup(s *catalog.Settings) string { return s.Name("vpc-flow-logs") }
func flowLogRole(s *catalog.Settings) string  { return s.Name("vpc-flow-logs") }

// dnsLogGroup receives the Route 53 Resolver query logs of each account and
// region, through the query logging configuration queryLogConfigName.
func dnsLogGroup(s *catalog.Settings) string        { return s.Name("dns-query-logs") }
func queryLogConfigName(s *catalog.Settings) string { return s.Name("dns-query-logs") }

// budgetName is the monthly cost budget apply creates in every account.
func budgetName(s *catalog.Settings) string { return s.Name("monthly-cost") }

// anomalyMonitor names the Cost Anomaly Detection monitor (of the AWS
// services, organization-wide from the management account) and its
// subscription.
func anomalyMonitor(s *catalog.Settings) string { return s.Name("cost-anomalies") }

// tfStateBucket is the Terraform state bucket in the shared-services account;
// "terraform-state" is what the check recognises a state bucket by.
func tfStateBucket(s *catalog.Settings, account string) string {
	return s.Name("terraform-state", account)
}

// tfLockTable is the Terraform lock table next to it.
func tfLockTable(s *catalog.Settings) string { return s.Name("terraform-locks") }

// The Organizations policies apply keeps at the root: the SCP of guardrail
// statements, the SCP of the region allow-list, the AI-services opt-out.
func guardrailsPolicy(s *catalog.Settings) string { return s.Name("guardrails") }
func regionPolicy(s *catalog.Settings) string     { return s.Name("region-allowlist") }
func aiOptOutPolicy(s *catalog.Settings) string   { return s.Name("ai-opt-out") }

// configAggregator is the organization Config aggregator in the security
// account's home region, and configAggregatorRole the role it reads the
// organization with.
func configAggregator(s *catalog.Settings) string     { return s.Name("organization") }
func configAggregatorRole(s *catalog.Settings) string { return s.Name("config-aggregator") }

// defaultHoneytokenUser is the honeytoken apply creates in the security
// account when baseline.yaml declares none: a name an intruder would want to
// use, not one that says what it is. honeytokenRule alerts on its use.
func defaultHoneytokenUser(s *catalog.Settings) string { return s.Name("ci-deploy") }
func honeytokenRule(s *catalog.Settings) string        { return s.Name("honeytoken") }

// trailLogGroup receives the organization trail's events in the management
// account's home region, through the role trailLogsRole lets CloudTrail assume.
func trailLogGroup(s *catalog.Settings) string { return s.Name("cloudtrail") }
func trailLogsRole(s *catalog.Settings) string { return s.Name("cloudtrail-logs") }

// trailReplicationRole lets S3 copy the trail bucket to trailReplicaBucket.
func trailReplicationRole(s *catalog.Settings) string { return s.Name("cloudtrail-replication") }

// inventoryBucket receives the S3 Inventory reports of the log-archive
// account's buckets in one region (S3 delivers them in the same region only).
func inventoryBucket(s *catalog.Settings, logArchive, region string) string {
	return s.Name("s3-inventory", logArchive, region)
}

// The central log pipeline: every account's log groups in a region stream,
// through the account-level subscription policy logsPolicy, to the
// destination logsDestination of the log-archive account in that region,
// which feeds the Firehose stream logsStream (home region, role
// logsStreamRole) writing to centralLogsBucket; logsDestinationRole lets
// CloudWatch Logs put records into the stream.
func logsPolicy(s *catalog.Settings) string          { return s.Name("central-logs") }
func logsDestination(s *catalog.Settings) string     { return s.Name("central-logs") }
func logsStream(s *catalog.Settings) string          { return s.Name("central-logs") }
func logsStreamRole(s *catalog.Settings) string      { return s.Name("central-logs-firehose") }
func logsDestinationRole(s *catalog.Settings) string { return s.Name("central-logs-destination") }
func centralLogsBucket(s *catalog.Settings, logArchive string) string {
	return s.Name("logs", logArchive)
}

// cisRuleName is the EventBridge rule of one CIS monitoring item ("5.4") in
// every account and region that needs it; alertForwarderRole lets those
// outside the security account's home region put events on its default bus,
// which lets the organization in through the statement busPolicySid.
func cisRuleName(s *catalog.Settings, cis string) string { return s.Name("cis", cis) }
func alertForwarderRole(s *catalog.Settings) string      { return s.Name("alert-forwarder") }
func busPolicySid(s *catalog.Settings) string            { return s.Name("organization-events") }

// backupVault, backupPlan (with its rule backupRule) and backupSelection are
// each account's AWS Backup set-up; backupRole is the role the selection
// runs as. The vault has the same name in the replica region.
func backupVault(s *catalog.Settings) string     { return s.Name("backup") }
func backupPlan(s *catalog.Settings) string      { return s.Name("backup") }
func backupRule(s *catalog.Settings) string      { return s.Name("daily") }
func backupSelection(s *catalog.Settings) string { return s.Name("tagged") }
func backupRole(s *catalog.Settings) string      { return s.Name("backup") }
