package collect

import (
	"context"
	"path"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "sqs", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectSQS(ctx, t, sqs.NewFromConfig(t.Config))
	}})
}

// sqsAPI is the read-only part of SQS we call.
type sqsAPI interface {
	ListQueues(context.Context, *sqs.ListQueuesInput, ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error)
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// collectSQS lists the region's queues and reads each one's ARN and access
// policy. A queue whose attributes cannot be read is kept by name, its
// failure recorded against the name.
func collectSQS(ctx context.Context, t *Task, api sqsAPI) {
	var queues []snapshot.Queue
	p := sqs.NewListQueuesPaginator(api, &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("ListQueues", err) {
			return
		}
		for _, u := range page.QueueUrls {
			queues = append(queues, snapshot.Queue{Name: path.Base(u), URL: u})
		}
	}
	sort.Slice(queues, func(i, j int) bool { return queues[i].Name < queues[j].Name })
	t.Fan(ctx, len(queues), func(ctx context.Context, i int) {
		q := &queues[i]
		out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q.URL),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNamePolicy}})
		if t.FailedOn("GetQueueAttributes", q.Name, err) {
			return
		}
		q.Arn = out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
		q.Policy = out.Attributes[string(sqstypes.QueueAttributeNamePolicy)]
	})
	t.Account.Regions[t.Region].SQS = &snapshot.SQS{Queues: queues}
}
