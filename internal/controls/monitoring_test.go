package controls_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
)

// The CIS filter patterns, in the order of the benchmark (5.1–5.15).
var cisFilterPatterns = func() []string {
	c, _ := catalog.Get("monitoring.cis-alarms")
	var out []string
	for _, line := range strings.Split(c.Steps, "\n") {
		if _, p, ok := strings.Cut(line, ": {"); ok && strings.HasPrefix(strings.TrimSpace(line), "5.") {
			out = append(out, "{"+p)
		}
	}
	return out
}()

const vpcEvents = `{"source":["aws.ec2"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["CreateVpc","DeleteVpc",` +
	`"ModifyVpcAttribute","AcceptVpcPeeringConnection","CreateVpcPeeringConnection","DeleteVpcPeeringConnection","RejectVpcPeeringConnection"]}}`

// alarmOn adds a metric filter on the log group and an alarm that
// notifies topic.
func alarmOn(t *testing.T, ctx context.Context, cfg aws.Config, group, name, pattern, topic string) {
	t.Helper()
	ok := fixtureOK(t)
	ok(cloudwatchlogs.NewFromConfig(cfg).PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(group),
		FilterName: aws.String(name), FilterPattern: aws.String(pattern), MetricTransformations: []logstypes.MetricTransformation{{
			MetricName: aws.String(name), MetricNamespace: aws.String("CISBenchmark"), MetricValue: aws.String("1")}}}))
	ok(cloudwatch.NewFromConfig(cfg, collect.CloudWatchQuery).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name),
		MetricName: aws.String(name), Namespace: aws.String("CISBenchmark"), Statistic: "Sum", Period: aws.Int32(300),
		EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanOrEqualToThreshold",
		AlarmActions: []string{topic}}))
}

// ruleTo adds an EventBridge rule on the default bus with one target.
func ruleTo(t *testing.T, ctx context.Context, cfg aws.Config, name, pattern, target string) {
	t.Helper()
	ok := fixtureOK(t)
	api := eventbridge.NewFromConfig(cfg)
	ok(api.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern), State: ebtypes.RuleStateEnabled}))
	ok(api.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{{Id: aws.String("1"), Arn: aws.String(target)}}}))
}

// monitoringMoto starts from the organization trail delivering to the
// org-trail log group and nothing that alerts.
func monitoringMoto(t *testing.T, z landingZone) {
	ctx := context.Background()
	ok := fixtureOK(t)
	mgmt := z.in(z.mgmt, "us-east-1")
	const group = "org-trail"
	wlIAM := iam.NewFromConfig(z.in(z.workload, "us-east-1"))
	ok(wlIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("honey")}))
	ok(wlIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("honey")}))

	opts := collect.Options{Org: true, Regions: []string{"us-east-1", "eu-west-1"},
		Services: []string{"cloudtrail", "logs", "cloudwatch", "events", "sns", "iam"}}
	settings := catalog.Defaults()
	settings.HoneytokenUsers = []string{"honey"}

	// Only the trail: nothing alerts.
	snap := audittest.Collect(t, opts)
	res := audittest.Audit(t, snap, settings, "monitoring.cis-alarms", "alerts.topic", "detection.honeytokens")
	audittest.Expect(t, res, "monitoring.cis-alarms", z.workload, "", "", catalog.StatusFail, "none of the 15 CIS monitoring events (5.1–5.15) raises an alert")
	audittest.Expect(t, res, "alerts.topic", z.workload, "", "", catalog.StatusFail, "no alarm or EventBridge rule alerts on security events")
	audittest.Expect(t, res, "detection.honeytokens", z.mgmt, "", "*", catalog.StatusFail, "honeytoken user honey of account "+z.workload, "names it")
	res = audittest.Audit(t, snap, catalog.Defaults(), "detection.honeytokens")
	audittest.Expect(t, res, "detection.honeytokens", z.mgmt, "", "", catalog.StatusFail, "no honeytoken user is declared")

	// Filters with alarms on the organization trail's group for all but the
	// VPC changes, which a workload rule watches in us-east-1 only; the
	// topics have no subscriber; the honeytoken rule sees writes only.
	topic := createTopic(t, ctx, mgmt, "security-alerts")
	for i, p := range cisFilterPatterns {
		if i != 13 {
			alarmOn(t, ctx, mgmt, group, fmt.Sprintf("cis-5-%d", i+1), p, topic)
		}
	}
	wl := z.in(z.workload, "us-east-1")
	local := createTopic(t, ctx, wl, "local-alerts")
	ruleTo(t, ctx, wl, "vpc-changes", vpcEvents, local)
	ruleTo(t, ctx, wl, "honeytoken", `{"detail":{"userIdentity":{"userName":["honey"]}}}`, local)
	res = audittest.Audit(t, audittest.Collect(t, opts), settings, "monitoring.cis-alarms", "alerts.topic", "detection.honeytokens")
	audittest.Expect(t, res, "monitoring.cis-alarms", z.workload, "", "", catalog.StatusFail, "no alert for VPC changes (5.14) in eu-west-1:")
	audittest.Expect(t, res, "monitoring.cis-alarms", z.mgmt, "", "", catalog.StatusFail, "no alert for VPC changes (5.14):")
	audittest.Expect(t, res, "alerts.topic", z.workload, "", "", catalog.StatusFail, "no confirmed subscription", topic, local)
	audittest.Expect(t, res, "detection.honeytokens", z.mgmt, "", "*", catalog.StatusFail, "only its write calls raise an alert")

	// Every region watched, a subscriber, and a filter on the honeytoken.
	ok(sns.NewFromConfig(mgmt).Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"),
		Endpoint: aws.String("security@example.com")}))
	ruleTo(t, ctx, z.in(z.workload, "eu-west-1"), "vpc-changes", vpcEvents, local)
	alarmOn(t, ctx, mgmt, group, "honeytoken", `{ $.userIdentity.userName = "honey" }`, topic)
	res = audittest.Audit(t, audittest.Collect(t, opts), settings, "monitoring.cis-alarms", "alerts.topic", "detection.honeytokens")
	audittest.Expect(t, res, "monitoring.cis-alarms", z.workload, "", "", catalog.StatusPass,
		"all 15 CIS monitoring events raise an alert", "metric filters on log group org-trail of account "+z.mgmt+"; EventBridge rules in eu-west-1, us-east-1")
	audittest.Expect(t, res, "alerts.topic", z.workload, "", "", catalog.StatusPass, topic+", which has a confirmed subscription")
	audittest.Expect(t, res, "detection.honeytokens", z.mgmt, "", "*", catalog.StatusPass, "its use raises an alert through metric filters")
}

// createTopic creates an SNS topic and returns its ARN.
func createTopic(t *testing.T, ctx context.Context, cfg aws.Config, name string) string {
	t.Helper()
	out, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	fixtureOK(t)(out, err)
	return aws.ToString(out.TopicArn)
}
