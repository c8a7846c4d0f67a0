package watch

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The handler in-process, with the event Lambda hands it for an SQS source.
func TestLambdaHandlerReportsPartialBatchFailures(t *testing.T) {
	r := newRig(t, "StopLogging")
	key := logPrefix + "a.json.gz"
	r.s3.objects[key] = gzLog(event(1, "StopLogging"), event(2, "DescribeTrails"))
	flaky := logPrefix + "flaky.json.gz"
	r.s3.objects[flaky] = gzLog(event(3, "StopLogging"))
	r.s3.fail[flaky] = []error{errorString("503 SlowDown")}
	var ev events.SQSEvent
	for id, body := range map[string]string{
		"s3":      s3Message("", "trail-bucket", key).Body,
		"flaky":   s3Message("", "trail-bucket", flaky).Body,
		"bridge":  string(readTestdata(t, "eventbridge-cloudtrail-api-call.json")),
		"garbage": `{"what":"is this"}`,
	} {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: id, ReceiptHandle: "rh-" + id, Body: body, EventSource: "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-1:111122223333:trail", AWSRegion: "us-east-1",
			Attributes: map[string]string{"SentTimestamp": "1722431184000", "ApproximateReceiveCount": "1"},
		})
	}
	h := &LambdaHandler{Pipeline: r.p, Alerts: r.notifier}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	if len(failed) != 2 || !failed["garbage"] || !failed["flaky"] {
		t.Fatalf("failures %+v", resp.BatchItemFailures)
	}
	// The invocation's alerts went out before it returned.
	if got := r.sink.alertedEvents(); len(got) != 2 || got["rule-StopLogging/"+eventID(1)] != 1 {
		t.Fatalf("alerted %v", got)
	}
	if len(r.index.durable) != 3 {
		t.Fatalf("indexed %v", r.index.durable)
	}
	if v := read(r.metrics.Lag); v < 1e6 {
		t.Fatalf("lag %v from SentTimestamp 2024-07-31", v)
	}

	// Lambda sends only the failures again.
	var retry events.SQSEvent
	for _, rec := range ev.Records {
		if failed[rec.MessageId] {
			retry.Records = append(retry.Records, rec)
		}
	}
	resp, err = h.Handle(context.Background(), retry)
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "garbage" {
		t.Fatalf("retry: %+v, %v", resp, err)
	}
	if got := r.sink.alertedEvents(); len(got) != 3 {
		t.Fatalf("alerted %v", got)
	}
	out, _ := json.Marshal(resp)
	if string(out) != `{"batchItemFailures":[{"itemIdentifier":"garbage"}]}` {
		t.Fatalf("response %s", out)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
