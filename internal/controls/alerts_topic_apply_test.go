package controls_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// The alert topic, the CIS rules of every account and region forwarding to
// the security account, and the queue `trail watch` reads, fed by the
// trail bucket (made by hand here: creating it is another control's job).
func TestApplyAlertsAndCISRules(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	ok := fixtureOK(t)
	sec, la, wl := env.Org.AccountID("security"), env.Org.AccountID("log-archive"), env.Org.AccountID("workload")
	bucket := env.Settings.Name("cloudtrail", la)
	laS3 := s3.NewFromConfig(env.Config("log-archive", "us-east-1"), awsx.S3Addressing)
	ok(laS3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))

	p := env.Converge(t, "alerts.topic", "monitoring.cis-alarms")

	// 15 rules in us-east-1 and the 11 of regional events in eu-west-1, in
	// each of the 5 accounts; a forwarding role in each; the topic, its
	// subscriber, the queue, the bucket's notification and the bus policy.
	for what, want := range map[string]int{"|rule": 5 * (15 + 11), "|role": 5, "|topic": 1, "|subscription": 1,
		"|queue": 1, "|bucket-notification": 1, "|bus-policy": 1} {
		if got := len(applytest.Changes(p, what)); got != want {
			t.Errorf("%d %s changes, want %d", got, what, want)
		}
	}
	if n := len(applytest.Changes(p, "monitoring.cis-alarms|"+wl+"|eu-west-1|", "cis-5.4")); n != 0 {
		t.Errorf("a rule for IAM changes, which only us-east-1 receives, in eu-west-1: %d", n)
	}

	topic := "arn:aws:sns:us-east-1:" + sec + ":" + env.Settings.Name("security-alerts")
	bus := "arn:aws:events:us-east-1:" + sec + ":event-bus/default"
	// A member's rule forwards through its role; the security account's
	// rules of its home region publish to the topic.
	for _, c := range []struct {
		account, region, target, role string
	}{{wl, "eu-west-1", bus, "arn:aws:iam::" + wl + ":role/" + env.Settings.Name("alert-forwarder")},
		{sec, "us-east-1", topic, ""}} {
		out, err := eventbridge.NewFromConfig(env.Org.Config(c.account), func(o *eventbridge.Options) { o.Region = c.region }).
			ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(env.Settings.Name("cis", "5.10"))})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Targets) != 1 || aws.ToString(out.Targets[0].Arn) != c.target || aws.ToString(out.Targets[0].RoleArn) != c.role {
			t.Errorf("targets of %s's rule in %s: %+v, want %s (role %q)", c.account, c.region, out.Targets, c.target, c.role)
		}
	}
	subs, err := sns.NewFromConfig(env.Config("security", "us-east-1")).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Endpoint) != "security-alerts@example.com" {
		t.Fatalf("subscriptions %+v, %v", subs, err)
	}
	n, err := laS3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	queue := "arn:aws:sqs:us-east-1:" + sec + ":" + env.Settings.Name("trail-events")
	if err != nil || len(n.QueueConfigurations) != 1 || aws.ToString(n.QueueConfigurations[0].QueueArn) != queue {
		t.Fatalf("notifications %+v, %v", n, err)
	}

	// Drift: a forwarding rule loses its target, the queue its policy. The
	// plan puts back exactly those two.
	wlEvents := eventbridge.NewFromConfig(env.Config("workload", "eu-west-1"))
	ok(wlEvents.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(env.Settings.Name("cis", "5.10")), Ids: []string{"baseline"}}))
	secSQS := sqs.NewFromConfig(env.Config("security", "us-east-1"))
	url, err := secSQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(env.Settings.Name("trail-events"))})
	if err != nil {
		t.Fatal(err)
	}
	ok(secSQS.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url.QueueUrl, Attributes: map[string]string{"Policy": ""}}))
	drift := env.Plan(t, "alerts.topic", "monitoring.cis-alarms")
	var got []string
	for _, c := range drift.Changes {
		got = append(got, string(c.Action)+" "+c.ID)
	}
	want := []string{
		"update alerts.topic|" + sec + "|us-east-1|" + queue + "|queue",
		"update monitoring.cis-alarms|" + wl + "|eu-west-1|arn:aws:events:eu-west-1:" + wl + ":rule/" + env.Settings.Name("cis", "5.10") + "|rule",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("drift plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	env.Apply(t, drift)
	if again := env.Plan(t, "alerts.topic", "monitoring.cis-alarms"); !again.Empty() {
		t.Fatalf("still planned after the drift was applied: %+v", again.Changes)
	}
}

// Without an address to subscribe, the topic is made but its subscription
// is blocked with the reason.
func TestApplyAlertTopicWithoutSubscribers(t *testing.T) {
	env := applytest.NewOrg(t)
	env.Settings.AlertEmails = nil
	p := env.Plan(t, "alerts.topic", "monitoring.cis-alarms")
	if len(applytest.Changes(p, "|topic")) != 1 || len(applytest.Changes(p, "|subscription")) != 0 {
		t.Fatalf("changes: %d topic, %d subscription", len(applytest.Changes(p, "|topic")), len(applytest.Changes(p, "|subscription")))
	}
	var reasons []string
	for _, b := range p.Blocked {
		reasons = append(reasons, b.ControlID+": "+b.Reason)
	}
	joined := strings.Join(reasons, "\n")
	for _, want := range []string{"alerts.topic: nobody is subscribed to the alert topic: list addresses under alerts.emails",
		"alerts.topic: the trail bucket " + env.Settings.Name("cloudtrail", env.Org.AccountID("log-archive")) + " does not exist"} {
		if !strings.Contains(joined, want) {
			t.Errorf("blocked:\n%s\nwant %q", joined, want)
		}
	}
}
