package alert

import (
	"context"
	"encoding/json"
	"github.com/secure-baseline/baseline/internal/detect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

type fakeSNS struct {
	in   *sns.PublishInput
	opts sns.Options
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, fns ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.in = in
	for _, fn := range fns {
		fn(&f.opts)
	}
	return &sns.PublishOutput{}, nil
}

type fakeSQS struct{ in *sqs.SendMessageInput }

func (f *fakeSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.in = in
	return &sqs.SendMessageOutput{}, nil
}

func TestSNSPublish(t *testing.T) {
	d := det("r", "p", 1)
	d.RuleTitle = "Root login – ünicode\nand a very long title that goes on and on and on and on and on and on and on and on"
	a := newAlert([]detect.Detection{d})
	f := &fakeSNS{}
	if err := NewSNS(f, "arn:aws:sns:eu-west-3:111122223333:alerts.fifo").Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	subj := aws.ToString(f.in.Subject)
	if len(subj) > 99 || subj[:7] != "[HIGH] " {
		t.Fatalf("subject %q", subj)
	}
	for _, c := range []byte(subj) {
		if c < 0x20 || c > 0x7e {
			t.Fatalf("subject %q is not printable ASCII", subj)
		}
	}
	var back Alert
	if err := json.Unmarshal([]byte(aws.ToString(f.in.Message)), &back); err != nil || back.ID != a.ID {
		t.Fatalf("message %s: %v", aws.ToString(f.in.Message), err)
	}
	at := f.in.MessageAttributes
	if aws.ToString(at["rule_id"].StringValue) != "r" || aws.ToString(at["level"].StringValue) != "high" ||
		aws.ToString(at["count"].DataType) != "Number" || aws.ToString(at["account_id"].StringValue) != "111122223333" {
		t.Fatalf("attributes %+v", at)
	}
	if aws.ToString(f.in.MessageDeduplicationId) != a.ID || aws.ToString(f.in.MessageGroupId) != "r" || f.opts.Region != "eu-west-3" {
		t.Fatalf("fifo ids %v %v, region %q", f.in.MessageDeduplicationId, f.in.MessageGroupId, f.opts.Region)
	}
}

func TestSQSSend(t *testing.T) {
	d := det("r", "p", 1)
	d.AccountID = "" // empty attributes are left out: SQS rejects them
	a := newAlert([]detect.Detection{d})
	f := &fakeSQS{}
	if err := NewSQS(f, "https://sqs.us-east-1.amazonaws.com/111122223333/alerts").Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.in.MessageAttributes["account_id"]; ok || f.in.MessageGroupId != nil {
		t.Fatalf("%+v", f.in)
	}
	var back Alert
	if err := json.Unmarshal([]byte(aws.ToString(f.in.MessageBody)), &back); err != nil || back.Count != 1 {
		t.Fatalf("body %s", aws.ToString(f.in.MessageBody))
	}
}

func TestQueueRegion(t *testing.T) {
	for url, want := range map[string]string{
		"https://sqs.ap-southeast-2.amazonaws.com/111122223333/q": "ap-southeast-2",
		"https://eu-west-1.queue.amazonaws.com/111122223333/q":    "eu-west-1",
		"http://127.0.0.1:5000/123456789012/q":                    "",
	} {
		if got := QueueRegion(url); got != want {
			t.Errorf("%s: %q", url, got)
		}
	}
}
