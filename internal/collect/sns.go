package collect

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "sns", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectSNS(ctx, t, sns.NewFromConfig(t.Config))
	}})
}

// snsAPI is the read-only part of SNS we call.
type snsAPI interface {
	ListTopics(context.Context, *sns.ListTopicsInput, ...func(*sns.Options)) (*sns.ListTopicsOutput, error)
	ListSubscriptions(context.Context, *sns.ListSubscriptionsInput, ...func(*sns.Options)) (*sns.ListSubscriptionsOutput, error)
	GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
}

// collectSNS lists the region's topics and all its subscriptions in two
// listings, instead of one ListSubscriptionsByTopic per topic, groups the
// subscriptions by topic and reads each topic's access policy.
func collectSNS(ctx context.Context, t *Task, api snsAPI) {
	var topics []string
	subs := map[string][]snapshot.Subscription{}
	ok := [2]bool{}
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 0 {
			p := sns.NewListTopicsPaginator(api, &sns.ListTopicsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if t.Failed("ListTopics", err) {
					return
				}
				for _, tp := range page.Topics {
					topics = append(topics, aws.ToString(tp.TopicArn))
				}
			}
			ok[0] = true
			return
		}
		p := sns.NewListSubscriptionsPaginator(api, &sns.ListSubscriptionsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if t.Failed("ListSubscriptions", err) {
				return
			}
			for _, s := range page.Subscriptions {
				arn := aws.ToString(s.SubscriptionArn)
				subs[aws.ToString(s.TopicArn)] = append(subs[aws.ToString(s.TopicArn)], snapshot.Subscription{
					Protocol: aws.ToString(s.Protocol), Endpoint: aws.ToString(s.Endpoint),
					Confirmed: arn != "PendingConfirmation" && arn != "Deleted"})
			}
		}
		ok[1] = true
	})
	if !ok[0] || !ok[1] {
		return
	}
	sort.Strings(topics)
	out := &snapshot.SNS{Topics: make([]snapshot.Topic, len(topics))}
	for i, arn := range topics {
		out.Topics[i] = snapshot.Topic{Arn: arn, Subscriptions: subs[arn]}
	}
	t.Fan(ctx, len(out.Topics), func(ctx context.Context, i int) {
		tp := &out.Topics[i]
		attrs, err := api.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(tp.Arn)})
		if awsx.IsNotFound(err) || t.FailedOn("GetTopicAttributes", tp.Arn, err) {
			return
		}
		tp.Policy = attrs.Attributes["Policy"]
	})
	t.Account.Regions[t.Region].SNS = out
}
