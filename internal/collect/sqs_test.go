package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// fakeSQS has two queues; reading the attributes of "denied" fails.
type fakeSQS struct{ listErr error }

func (f fakeSQS) ListQueues(context.Context, *sqs.ListQueuesInput, ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &sqs.ListQueuesOutput{QueueUrls: []string{"https://sqs.us-east-1.amazonaws.com/111111111111/trail",
		"https://sqs.us-east-1.amazonaws.com/111111111111/denied"}}, nil
}

func (f fakeSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if aws.ToString(in.QueueUrl) == "https://sqs.us-east-1.amazonaws.com/111111111111/denied" {
		return nil, errAccessDenied
	}
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:111111111111:trail",
		"Policy": `{"Statement":[]}`}}, nil
}

func TestSQSCollectorReadsQueuePolicies(t *testing.T) {
	task, snap := fakeTask(t, "sqs", "us-east-1")
	collectSQS(context.Background(), task, fakeSQS{})
	qs := task.Account.Regions["us-east-1"].SQS.Queues
	if len(qs) != 2 || qs[0].Name != "denied" || qs[0].Policy != "" || qs[1].Arn != "arn:aws:sqs:us-east-1:111111111111:trail" || qs[1].Policy == "" {
		t.Fatalf("queues = %+v", qs)
	}
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "GetQueueAttributes" || errs[0].Resource != "denied" {
		t.Fatalf("errors = %+v", errs)
	}

	task, snap = fakeTask(t, "sqs", "us-east-1")
	collectSQS(context.Background(), task, fakeSQS{listErr: errAccessDenied})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "ListQueues" || task.Account.Regions["us-east-1"].SQS != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
