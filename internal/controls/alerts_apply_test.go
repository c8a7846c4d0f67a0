package controls

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
)

// fakeTopics refuses to create a topic whose name exists with other
// attributes, as SNS does (moto returns the existing topic instead).
type fakeTopics struct {
	calls []string
}

func (f *fakeTopics) CreateTopic(_ context.Context, in *sns.CreateTopicInput, _ ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	f.calls = append(f.calls, "CreateTopic")
	if in.Attributes != nil {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameter", Message: "Invalid parameter: Attributes Reason: Topic already exists with different attributes"}
	}
	return &sns.CreateTopicOutput{TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:" + aws.ToString(in.Name))}, nil
}

func (f *fakeTopics) SetTopicAttributes(_ context.Context, in *sns.SetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error) {
	f.calls = append(f.calls, "SetTopicAttributes "+aws.ToString(in.AttributeName))
	return &sns.SetTopicAttributesOutput{}, nil
}

func (f *fakeTopics) TagResource(_ context.Context, in *sns.TagResourceInput, _ ...func(*sns.Options)) (*sns.TagResourceOutput, error) {
	f.calls = append(f.calls, "TagResource "+aws.ToString(in.ResourceArn))
	return &sns.TagResourceOutput{}, nil
}

func TestEnsureTopicAdoptsOneOfItsName(t *testing.T) {
	f := &fakeTopics{}
	if err := ensureTopic(context.Background(), f, topicSpec{Name: "alerts", Policy: "{}", Tags: map[string]string{"managed-by": "baseline"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"CreateTopic", "CreateTopic", "SetTopicAttributes Policy", "TagResource arn:aws:sns:us-east-1:111111111111:alerts"}
	if len(f.calls) != len(want) {
		t.Fatalf("calls %v, want %v", f.calls, want)
	}
	for i := range want {
		if f.calls[i] != want[i] {
			t.Fatalf("calls %v, want %v", f.calls, want)
		}
	}
}

// fakeNotifications holds a bucket's notification configuration.
type fakeNotifications struct {
	cfg s3types.NotificationConfiguration
}

func (f *fakeNotifications) GetBucketNotificationConfiguration(context.Context, *s3.GetBucketNotificationConfigurationInput, ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error) {
	return &s3.GetBucketNotificationConfigurationOutput{QueueConfigurations: f.cfg.QueueConfigurations, TopicConfigurations: f.cfg.TopicConfigurations,
		LambdaFunctionConfigurations: f.cfg.LambdaFunctionConfigurations, EventBridgeConfiguration: f.cfg.EventBridgeConfiguration}, nil
}

func (f *fakeNotifications) PutBucketNotificationConfiguration(_ context.Context, in *s3.PutBucketNotificationConfigurationInput, _ ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error) {
	f.cfg = *in.NotificationConfiguration
	return &s3.PutBucketNotificationConfigurationOutput{}, nil
}

// S3 replaces a bucket's whole notification configuration: the other
// notifications survive, and a second run leaves one queue notification.
func TestPutQueueNotificationKeepsTheOthers(t *testing.T) {
	f := &fakeNotifications{cfg: s3types.NotificationConfiguration{
		TopicConfigurations:      []s3types.TopicConfiguration{{Id: aws.String("theirs"), TopicArn: aws.String("arn:aws:sns:us-east-1:1:t")}},
		QueueConfigurations:      []s3types.QueueConfiguration{{Id: aws.String("other"), QueueArn: aws.String("arn:aws:sqs:us-east-1:1:q")}},
		EventBridgeConfiguration: &s3types.EventBridgeConfiguration{},
	}}
	n := bucketNotification{Bucket: "trail", ID: "baseline-trail-events", Queue: "arn:aws:sqs:us-east-1:2:trail", Events: []string{"s3:ObjectCreated:*"}}
	for range 2 {
		if err := putQueueNotification(context.Background(), f, n); err != nil {
			t.Fatal(err)
		}
	}
	qs := f.cfg.QueueConfigurations
	if len(qs) != 2 || aws.ToString(qs[0].Id) != "other" || aws.ToString(qs[1].QueueArn) != n.Queue || qs[1].Events[0] != "s3:ObjectCreated:*" {
		t.Fatalf("queues %+v", qs)
	}
	if len(f.cfg.TopicConfigurations) != 1 || f.cfg.EventBridgeConfiguration == nil {
		t.Fatalf("other notifications lost: %+v", f.cfg)
	}
}
