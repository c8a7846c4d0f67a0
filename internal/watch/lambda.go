package watch

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// LambdaHandler runs the pipeline as an AWS Lambda function behind an SQS event
// source mapping. The mapping must report batch item failures
// (FunctionResponseTypes: ReportBatchItemFailures): the messages not done
// are returned as failures and only they come back.
type LambdaHandler struct {
	Pipeline *Pipeline
	// Alerts sends the invocation's alerts before it returns: an execution
	// environment may be frozen, or never resumed, after that.
	Alerts interface{ Flush() }
}

// Handle processes one SQS event. It stops reading a little before the
// invocation's deadline, so that what was read is committed and the rest
// reported as failures rather than lost to a timeout. An error (local state
// could not be written) fails the whole batch.
func (h *LambdaHandler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-min(10*time.Second, time.Until(deadline)/4)))
		defer cancel()
	}
	msgs := make([]Message, len(ev.Records))
	for i, r := range ev.Records {
		msgs[i] = Message{ID: r.MessageId, Receipt: r.ReceiptHandle, Body: r.Body, Sent: sentTime(r.Attributes["SentTimestamp"])}
	}
	h.Pipeline.metrics.observeLag(msgs, time.Now())
	done, err := h.Pipeline.Process(ctx, msgs)
	if err != nil {
		return events.SQSEventResponse{}, err
	}
	h.Alerts.Flush()
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, m := range without(msgs, done) {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.ID})
	}
	return resp, nil
}
