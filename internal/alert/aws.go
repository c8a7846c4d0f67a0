package alert

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SNSAPI is the part of *sns.Client the SNS sink calls.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SQSAPI is the part of *sqs.Client the SQS sink calls.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// SNS publishes each alert to a topic: the subject is the one-line summary,
// the message the alert's JSON, and rule_id, level, account_id and count are
// message attributes so that subscriptions can filter on them.
type SNS struct {
	api   SNSAPI
	topic string
}

// NewSNS returns a sink publishing to the topic; the call goes to the topic's
// region whatever the client's.
func NewSNS(api SNSAPI, topicARN string) *SNS { return &SNS{api: api, topic: topicARN} }

func (s *SNS) Name() string { return "sns:" + s.topic }

func (s *SNS) Send(ctx context.Context, a *Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	in := &sns.PublishInput{
		TopicArn: aws.String(s.topic), Subject: aws.String(snsSubject(a.Subject())),
		Message: aws.String(string(body)), MessageAttributes: map[string]snstypes.MessageAttributeValue{},
	}
	for k, v := range attributes(a) {
		in.MessageAttributes[k] = snstypes.MessageAttributeValue{DataType: aws.String(v.typ), StringValue: aws.String(v.val)}
	}
	if strings.HasSuffix(s.topic, ".fifo") {
		in.MessageGroupId, in.MessageDeduplicationId = aws.String(a.RuleID), aws.String(a.ID)
	}
	var opts []func(*sns.Options)
	if parsed, err := arn.Parse(s.topic); err == nil && parsed.Region != "" {
		opts = append(opts, func(o *sns.Options) { o.Region = parsed.Region })
	}
	_, err = s.api.Publish(ctx, in, opts...)
	return err
}

// snsSubject fits SNS's rules for subjects: printable ASCII, one line, fewer
// than 100 characters.
func snsSubject(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	if len(b) > 99 {
		b = append(b[:96], "..."...)
	}
	return string(b)
}

// SQS sends each alert's JSON to a queue, with the attributes of the SNS
// sink. On a FIFO queue the alert id is the deduplication id, so a resent
// alert is dropped by SQS within its five-minute deduplication interval.
type SQS struct {
	api SQSAPI
	url string
}

// NewSQS returns a sink sending to the queue URL.
func NewSQS(api SQSAPI, queueURL string) *SQS { return &SQS{api: api, url: queueURL} }

func (s *SQS) Name() string { return "sqs:" + s.url }

func (s *SQS) Send(ctx context.Context, a *Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	in := &sqs.SendMessageInput{
		QueueUrl: aws.String(s.url), MessageBody: aws.String(string(body)),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{},
	}
	for k, v := range attributes(a) {
		in.MessageAttributes[k] = sqstypes.MessageAttributeValue{DataType: aws.String(v.typ), StringValue: aws.String(v.val)}
	}
	if strings.HasSuffix(s.url, ".fifo") {
		in.MessageGroupId, in.MessageDeduplicationId = aws.String(a.RuleID), aws.String(a.ID)
	}
	var opts []func(*sqs.Options)
	if region := QueueRegion(s.url); region != "" {
		opts = append(opts, func(o *sqs.Options) { o.Region = region })
	}
	_, err = s.api.SendMessage(ctx, in, opts...)
	return err
}

// QueueRegion returns the region of an AWS SQS queue URL
// (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or the legacy
// REGION.queue.amazonaws.com host), or "" for other endpoints.
func QueueRegion(queueURL string) string {
	host, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(queueURL, "https://"), "http://"), "/")
	parts := strings.Split(host, ".")
	switch {
	case len(parts) >= 4 && parts[0] == "sqs":
		return parts[1]
	case len(parts) >= 4 && parts[1] == "queue":
		return parts[0]
	}
	return ""
}

type attribute struct{ typ, val string }

// attributes are the message attributes of SNS and SQS messages; empty ones
// are left out, as both services reject empty values.
func attributes(a *Alert) map[string]attribute {
	m := map[string]attribute{"count": {"Number", strconv.FormatInt(a.Count, 10)}}
	for k, v := range map[string]string{"rule_id": a.RuleID, "level": a.Level, "account_id": a.AccountID} {
		if v != "" {
			m[k] = attribute{"String", v}
		}
	}
	return m
}
