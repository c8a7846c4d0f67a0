package controls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// What alerts.topic sets up in the security account's home region: the
// alert topic, which EventBridge and CloudWatch of the account may publish
// to, an email subscription per alerts.emails address, and the queue
// `trail watch` reads, fed by the notifications of the trail bucket (in the
// log-archive account) for every object CloudTrail writes.

// planAlertTopic plans the unit's part. Outside the security account there
// is none: monitoring.cis-alarms forwards the alerts to the topic.
func planAlertTopic(p *catalog.Planner) {
	failing := failures(p)
	if len(p.BlockedItems()) > 0 {
		return
	}
	sec := p.DesignatedOrBlock("security")
	if sec == nil {
		return
	}
	if p.Account.AccountID != sec.AccountID {
		if len(failing) > 0 {
			blockUnforwarded(p, failing[0])
		}
		return
	}
	home := p.Settings.HomeRegion
	r := sec.Regions[home]
	if r == nil || r.SNS == nil || r.SQS == nil {
		p.Here().Block("", "the security account's home region %s, where the alert topic and queue live, was not assessed", home)
		return
	}
	planTopic(p, sec, r, failing)
	if la := p.DesignatedOrBlock("log-archive"); la != nil {
		planTrailQueue(p, sec, la, r)
	}
}

// blockUnforwarded says why an account's alerts will still reach nobody
// when monitoring.cis-alarms will not forward them: it is left out, or
// every CIS event already has an alert here (to a topic nobody confirmed).
func blockUnforwarded(p *catalog.Planner, f catalog.Finding) {
	switch gaps, _ := cisGapsOf(p.Snap, p.Account); {
	case !p.Enabled("monitoring.cis-alarms"):
		p.Here().Block("", "%s: enable monitoring.cis-alarms, which forwards them to the security account's alert topic", f.Reason)
	case len(gaps) == 0:
		p.Here().Block("", "%s; apply forwards only the events nothing alerts on yet, and here every one has an alert", f.Reason)
	}
}

// planTopic plans the alert topic, when rules publish or will publish to
// it, and its subscriptions.
func planTopic(p *catalog.Planner, sec *snapshot.Account, r *snapshot.Region, failing []catalog.Finding) {
	s, home := p.Settings, p.Settings.HomeRegion
	at := p.At(sec.AccountID, home)
	arn := topicARN(s, sec.AccountID, alertTopic(s))
	var subs []snapshot.Subscription
	if i := slices.IndexFunc(r.SNS.Topics, func(t snapshot.Topic) bool { return t.Arn == arn }); i >= 0 {
		subs = r.SNS.Topics[i].Subscriptions
	} else {
		if !cisRulesPublish(p, sec) && !sendsTo(sec, "", arn) {
			// Alerts reach a subscriber, or rules apply does not own fail to.
			if len(failing) > 0 {
				at.Block(arn, "%s; apply makes the alert topic for the CIS rules of monitoring.cis-alarms, which has none to make", failing[0].Reason)
			}
			return
		}
		at.Create("topic", arn, alertTopicSpec(s, sec.AccountID))
	}
	confirmed := slices.ContainsFunc(subs, func(s snapshot.Subscription) bool { return s.Confirmed })
	if len(s.AlertEmails) == 0 {
		if !confirmed {
			at.Block(arn, "nobody is subscribed to the alert topic: list addresses under alerts.emails in baseline.yaml")
		}
		return
	}
	var pending []string
	for _, email := range s.AlertEmails {
		i := slices.IndexFunc(subs, func(s snapshot.Subscription) bool {
			return s.Protocol == "email" && strings.EqualFold(s.Endpoint, email)
		})
		switch {
		case i < 0:
			at.Create("subscription", "sns-subscription/"+alertTopic(s)+"/"+email,
				subscriptionSpec{Topic: arn, Protocol: "email", Endpoint: email}, at.Ref(arn))
		case !subs[i].Confirmed:
			pending = append(pending, email)
		}
	}
	if !confirmed && len(pending) == len(s.AlertEmails) {
		at.Block(arn, "waiting for %s to confirm the subscription to the alert topic (AWS mailed a link)", listOf(pending))
	}
}

// cisRulesPublish reports whether monitoring.cis-alarms will make rules
// that publish to the alert topic.
func cisRulesPublish(p *catalog.Planner, sec *snapshot.Account) bool {
	if !p.Enabled("monitoring.cis-alarms") {
		return false
	}
	w := cisWiring{s: p.Settings, sec: sec, home: p.Settings.HomeRegion}
	return len(w.homeItems(orgCISGaps(p.Snap, sec))) > 0
}

// alertTopicSpec is the topic with the policy that lets the account's
// EventBridge rules and CloudWatch alarms publish.
func alertTopicSpec(s *catalog.Settings, account string) topicSpec {
	arn := topicARN(s, account, alertTopic(s))
	var publish []iamStatement
	for _, service := range []string{"events", "cloudwatch"} {
		publish = append(publish, iamStatement{Sid: s.Name(service, "publish"), Effect: "Allow",
			Principal: servicePrincipal(service + ".amazonaws.com"), Action: "sns:Publish", Resource: arn,
			Condition: iamCondition{"StringEquals": {"aws:SourceAccount": account}}})
	}
	return topicSpec{Name: alertTopic(s), Policy: iamDocument(publish...), Tags: catalog.ManagedTags(nil)}
}

// planTrailQueue plans the queue `trail watch` reads and the trail bucket's
// notifications to it.
func planTrailQueue(p *catalog.Planner, sec, la *snapshot.Account, r *snapshot.Region) {
	s, home := p.Settings, p.Settings.HomeRegion
	at := p.At(sec.AccountID, home)
	name, bucket := trailQueue(s), trailBucketName(s, la.AccountID)
	arn := fmt.Sprintf("arn:%s:sqs:%s:%s:%s", partitionOf(home), home, sec.AccountID, name)
	want := queueSpec{Name: name, Tags: catalog.ManagedTags(nil), Statement: iamStatement{Sid: s.Name("trail-bucket"),
		Effect: "Allow", Principal: servicePrincipal("s3.amazonaws.com"), Action: "sqs:SendMessage", Resource: arn,
		Condition: iamCondition{"ArnLike": {"aws:SourceArn": bucketARN(home, bucket)},
			"StringEquals": {"aws:SourceAccount": la.AccountID}}}}
	i := slices.IndexFunc(r.SQS.Queues, func(q snapshot.Queue) bool { return q.Name == name })
	if i < 0 {
		at.Create("queue", arn, want)
	} else if err := failedReadIn(p.Snap, sec.AccountID, home, "sqs:GetQueueAttributes", name); err != nil {
		at.Block(arn, "cannot plan the queue's policy: %s", catalog.DescribeReadError(err))
	} else if cur := r.SQS.Queues[i].Policy; !hasStatement(cur, want.Statement) {
		at.Update("queue", arn, cur, want)
	}
	planTrailNotification(p, la, bucket, arn)
}

// planTrailNotification plans the trail bucket's notification of every new
// object to the queue. The bucket is another control's: its notifications
// are an update of it, made after its creation.
func planTrailNotification(p *catalog.Planner, la *snapshot.Account, bucket, queue string) {
	home := p.Settings.HomeRegion
	at := p.At(la.AccountID, home)
	res := bucketARN(home, bucket)
	if la.Unreachable != "" || la.Global.S3 == nil {
		at.Block(res, "the buckets of the log-archive account %s were not assessed", accountLabel(la))
		return
	}
	want := bucketNotification{Bucket: bucket, ID: trailQueue(p.Settings), Queue: queue, Events: []string{string(s3types.EventS3ObjectCreated)}}
	queueRef := catalog.Ref(p.Account.AccountID, home, queue)
	buckets := la.Global.S3.Buckets
	i := slices.IndexFunc(buckets, func(b snapshot.Bucket) bool { return b.Name == bucket })
	switch {
	case i < 0 && !p.Enabled("cloudtrail.org-trail") && !p.Enabled("cloudtrail.bucket-secured"):
		at.Block(res, "the trail bucket %s does not exist: enable cloudtrail.org-trail, which creates it", bucket)
	case i < 0:
		at.Update("bucket-notification", res, nil, want, queueRef)
	default:
		b := &buckets[i]
		if err := bucketReadFailed(p.Snap, la.AccountID, b, "s3:GetBucketNotificationConfiguration"); err != nil {
			at.Block(res, "cannot plan the bucket's notifications: %s", catalog.DescribeReadError(err))
		} else if !slices.ContainsFunc(b.QueueNotifications, want.coveredBy) {
			at.Update("bucket-notification", res, b.QueueNotifications, want, queueRef)
		}
	}
}

// ---- Ops --------------------------------------------------------------------

// topicSpec is an SNS topic with its policy.
type topicSpec struct {
	Name   string            `json:"name"`
	Policy string            `json:"policy"`
	Tags   map[string]string `json:"tags"`
}

// subscriptionSpec subscribes an endpoint to a topic.
type subscriptionSpec struct {
	Topic    string `json:"topic"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
}

// queueSpec is an SQS queue and the statement apply keeps in its policy.
type queueSpec struct {
	Name      string            `json:"name"`
	Statement iamStatement      `json:"statement"`
	Tags      map[string]string `json:"tags"`
}

// bucketNotification sends a bucket's events to a queue, under an id of
// the bucket's notification configuration.
type bucketNotification struct {
	Bucket string   `json:"bucket"`
	ID     string   `json:"id"`
	Queue  string   `json:"queue"`
	Events []string `json:"events"`
}

// coveredBy reports whether an existing notification sends every event of
// n to n's queue.
func (n bucketNotification) coveredBy(x snapshot.QueueNotification) bool {
	if x.Queue != n.Queue {
		return false
	}
	for _, ev := range n.Events {
		if !slices.Contains(x.Events, ev) {
			return false
		}
	}
	return true
}

var alertTopicOps = map[string]catalog.Op{
	"topic": decodedOp(func(ctx context.Context, cfg aws.Config, t topicSpec) error {
		return ensureTopic(ctx, sns.NewFromConfig(cfg), t)
	}),
	"subscription": decodedOp(func(ctx context.Context, cfg aws.Config, sub subscriptionSpec) error {
		return subscribe(ctx, sns.NewFromConfig(cfg), sub)
	}),
	"queue": decodedOp(func(ctx context.Context, cfg aws.Config, q queueSpec) error {
		return ensureQueue(ctx, sqs.NewFromConfig(cfg), q)
	}),
	"bucket-notification": decodedOp(func(ctx context.Context, cfg aws.Config, n bucketNotification) error {
		return putQueueNotification(ctx, s3.NewFromConfig(cfg, awsx.S3Addressing), n)
	}),
}

type topicWriter interface {
	CreateTopic(context.Context, *sns.CreateTopicInput, ...func(*sns.Options)) (*sns.CreateTopicOutput, error)
	SetTopicAttributes(context.Context, *sns.SetTopicAttributesInput, ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error)
	TagResource(context.Context, *sns.TagResourceInput, ...func(*sns.Options)) (*sns.TagResourceOutput, error)
}

// ensureTopic creates the topic with its policy and tags in one call. SNS
// refuses that for a topic of the name with other attributes: that one is
// adopted and given the policy and tags.
func ensureTopic(ctx context.Context, api topicWriter, t topicSpec) error {
	tags := tagList(t.Tags, func(k, v *string) snstypes.Tag { return snstypes.Tag{Key: k, Value: v} })
	_, err := api.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(t.Name), Attributes: map[string]string{"Policy": t.Policy}, Tags: tags})
	if !hasCode(err, "InvalidParameter") {
		return err
	}
	out, err := api.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(t.Name)})
	if err != nil {
		return err
	}
	if _, err := api.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: out.TopicArn, AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(t.Policy)}); err != nil {
		return err
	}
	_, err = api.TagResource(ctx, &sns.TagResourceInput{ResourceArn: out.TopicArn, Tags: tags})
	return err
}

type subscriber interface {
	Subscribe(context.Context, *sns.SubscribeInput, ...func(*sns.Options)) (*sns.SubscribeOutput, error)
}

// subscribe subscribes the endpoint; SNS answers a second request for the
// same endpoint with the subscription it has.
func subscribe(ctx context.Context, api subscriber, s subscriptionSpec) error {
	_, err := api.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(s.Topic), Protocol: aws.String(s.Protocol), Endpoint: aws.String(s.Endpoint)})
	return notYet(err) // the topic may be just created
}

type queueWriter interface {
	GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	CreateQueue(context.Context, *sqs.CreateQueueInput, ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	SetQueueAttributes(context.Context, *sqs.SetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
}

// trailQueueRetention keeps undelivered notifications the longest SQS
// allows (14 days), so that `trail watch` can be down for a while.
const trailQueueRetention = "1209600"

// ensureQueue creates the queue, encrypted and with the statement as its
// policy, or sets the statement in the policy of the queue that exists.
func ensureQueue(ctx context.Context, api queueWriter, q queueSpec) error {
	url, err := api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q.Name)})
	var missing *sqstypes.QueueDoesNotExist
	if errors.As(err, &missing) {
		policy, err := withStatements("", q.Statement)
		if err != nil {
			return err
		}
		_, err = api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(q.Name), Tags: q.Tags, Attributes: map[string]string{
			string(sqstypes.QueueAttributeNamePolicy):                 policy,
			string(sqstypes.QueueAttributeNameSqsManagedSseEnabled):   "true",
			string(sqstypes.QueueAttributeNameMessageRetentionPeriod): trailQueueRetention}})
		return err
	}
	if err != nil {
		return err
	}
	out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy}})
	if err != nil {
		return err
	}
	policy, err := withStatements(out.Attributes[string(sqstypes.QueueAttributeNamePolicy)], q.Statement)
	if err != nil {
		return err
	}
	_, err = api.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url.QueueUrl,
		Attributes: map[string]string{string(sqstypes.QueueAttributeNamePolicy): policy}})
	return err
}

type notificationWriter interface {
	GetBucketNotificationConfiguration(context.Context, *s3.GetBucketNotificationConfigurationInput, ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error)
	PutBucketNotificationConfiguration(context.Context, *s3.PutBucketNotificationConfigurationInput, ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error)
}

// putQueueNotification sets the bucket's queue notification of id n.ID,
// keeping every other notification (S3 replaces the whole configuration).
func putQueueNotification(ctx context.Context, api notificationWriter, n bucketNotification) error {
	cur, err := api.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(n.Bucket)})
	if err != nil {
		return notYet(err) // the bucket may be just created
	}
	queues := slices.DeleteFunc(slices.Clone(cur.QueueConfigurations), func(q s3types.QueueConfiguration) bool { return aws.ToString(q.Id) == n.ID })
	q := s3types.QueueConfiguration{Id: aws.String(n.ID), QueueArn: aws.String(n.Queue)}
	for _, ev := range n.Events {
		q.Events = append(q.Events, s3types.Event(ev))
	}
	_, err = api.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(n.Bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: append(queues, q),
			TopicConfigurations: cur.TopicConfigurations, LambdaFunctionConfigurations: cur.LambdaFunctionConfigurations,
			EventBridgeConfiguration: cur.EventBridgeConfiguration}})
	if hasCode(err, "InvalidArgument") && strings.Contains(awsx.Message(err), "validate the following destination") {
		return catalog.Retryable(err) // S3 cannot send to the queue until its new policy is visible
	}
	return err
}
