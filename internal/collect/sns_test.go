package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

type fakeSNS struct{ err error }

func (f fakeSNS) ListTopics(context.Context, *sns.ListTopicsInput, ...func(*sns.Options)) (*sns.ListTopicsOutput, error) {
	return &sns.ListTopicsOutput{Topics: []snstypes.Topic{{TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:b")},
		{TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:a")}}}, nil
}

func (f fakeSNS) ListSubscriptions(context.Context, *sns.ListSubscriptionsInput, ...func(*sns.Options)) (*sns.ListSubscriptionsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &sns.ListSubscriptionsOutput{Subscriptions: []snstypes.Subscription{
		{TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:a"), SubscriptionArn: aws.String("arn:aws:sns:us-east-1:111111111111:a:1"), Protocol: aws.String("email")},
		{TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:b"), SubscriptionArn: aws.String("PendingConfirmation"), Protocol: aws.String("email")},
	}}, nil
}

// GetTopicAttributes denies topic b's policy.
func (f fakeSNS) GetTopicAttributes(_ context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	if aws.ToString(in.TopicArn) == "arn:aws:sns:us-east-1:111111111111:b" {
		return nil, errAccessDenied
	}
	return &sns.GetTopicAttributesOutput{Attributes: map[string]string{"Policy": `{"Statement":[]}`}}, nil
}

func TestSNSCollectorReadsTopicPolicies(t *testing.T) {
	task, snap := fakeTask(t, "sns", "us-east-1")
	collectSNS(context.Background(), task, fakeSNS{})
	topics := task.Account.Regions["us-east-1"].SNS.Topics
	if len(topics) != 2 || topics[0].Policy == "" || topics[1].Policy != "" {
		t.Fatalf("topics = %+v", topics)
	}
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"sns:GetTopicAttributes arn:aws:sns:us-east-1:111111111111:b"}) {
		t.Fatalf("recorded %v", got)
	}
}

func TestSNSCollectorGroupsSubscriptionsByTopic(t *testing.T) {
	task, _ := fakeTask(t, "sns", "us-east-1")
	collectSNS(context.Background(), task, fakeSNS{})
	topics := task.Account.Regions["us-east-1"].SNS.Topics
	if len(topics) != 2 || !topics[0].Subscriptions[0].Confirmed || topics[1].Subscriptions[0].Confirmed {
		t.Fatalf("topics = %+v", topics)
	}

	task, snap := fakeTask(t, "sns", "us-east-1")
	collectSNS(context.Background(), task, fakeSNS{err: errAccessDenied})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "ListSubscriptions" || task.Account.Regions["us-east-1"].SNS != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
