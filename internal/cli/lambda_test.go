package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/secure-baseline/baseline/internal/alert"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func TestLambdaOutsideLambdaIsAUsageError(t *testing.T) {
	t.Setenv("AWS_LAMBDA_RUNTIME_API", "")
	var out bytes.Buffer
	cmd := newLambdaCmd(&globals{stdout: &out, stderr: &out})
	cmd.SetArgs(nil)
	err := cmd.Execute()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != ExitUsage || !strings.Contains(err.Error(), "inside AWS Lambda") {
		t.Fatalf("%v", err)
	}
}

func TestLambdaSpecFromEnvironment(t *testing.T) {
	env := map[string]string{
		"BASELINE_ALERT_SNS":     "arn:aws:sns:us-east-1:111122223333:a, arn:aws:sns:us-east-1:111122223333:b",
		"BASELINE_ALERT_SQS":     "https://sqs.us-east-1.amazonaws.com/111122223333/alerts",
		"BASELINE_ALERT_SLACK":   "https://hooks.slack.com/services/T0/B0/X",
		"BASELINE_ALERT_WEBHOOK": "https://hooks.example.com/baseline",
		"BASELINE_RULES":         "/var/task/rules",
		"BASELINE_HONEYTOKENS":   "svc-backup-old,",
		"BASELINE_MIN_LEVEL":     "medium",
		"BASELINE_INDEX_DIR":     "/mnt/trail/index",
	}
	spec := lambdaSpec(func(k string) string { return env[k] })
	want := &streamSpec{
		rules: []string{"/var/task/rules"}, honeytokens: []string{"svc-backup-old"}, minLevel: "medium",
		index: "/mnt/trail/index", stateDir: "/tmp/baseline",
		alerts: alert.Config{
			SNS:        []string{"arn:aws:sns:us-east-1:111122223333:a", "arn:aws:sns:us-east-1:111122223333:b"},
			SQS:        []string{"https://sqs.us-east-1.amazonaws.com/111122223333/alerts"},
			Slack:      []alert.SlackConfig{{URL: "https://hooks.slack.com/services/T0/B0/X"}},
			Webhooks:   []alert.WebhookConfig{{URL: "https://hooks.example.com/baseline", SecretEnv: "BASELINE_WEBHOOK_SECRET"}},
			DeadLetter: "/tmp/baseline/alerts.dead.jsonl",
		},
	}
	if !reflect.DeepEqual(spec, want) {
		t.Fatalf("got  %+v\nwant %+v", spec, want)
	}
}

// The handler `baseline lambda` starts, configured from its environment,
// given the SQS event Lambda would build from the queue's messages.
func TestLambdaHandlerOnMoto(t *testing.T) {
	moto.Start(t)
	cfg := moto.Config(t)
	s3c := s3.NewFromConfig(cfg, awsx.S3Addressing, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	sqsc := sqs.NewFromConfig(cfg)
	ctx := context.Background()
	queue, queueARN := createQueue(t, sqsc, "trail-deliveries")
	alertQueue, _ := createQueue(t, sqsc, "security-alerts")
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String("trail"),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(queueARN), Events: []s3types.Event{"s3:ObjectCreated:*"},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	putStratusLogs(t, s3c, "trail")
	dir := t.TempDir()
	t.Setenv("BASELINE_ALERT_SQS", alertQueue)
	t.Setenv("BASELINE_INDEX_DIR", filepath.Join(dir, "index"))
	t.Setenv("BASELINE_STATE_DIR", filepath.Join(dir, "state"))

	var stdout, stderr bytes.Buffer
	h, st, err := newLambdaHandler(ctx, &globals{stdout: &stdout, stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	invocations := 0
	for {
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		var ev events.SQSEvent
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
				Body: aws.ToString(m.Body), Attributes: m.Attributes, EventSource: "aws:sqs", EventSourceARN: queueARN, AWSRegion: "us-east-1"})
		}
		resp, err := h.Handle(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("invocation %d: %+v, %v\n%s", invocations, resp, err, stderr.String())
		}
		for _, m := range out.Messages { // what the event source mapping does on success
			sqsc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: m.ReceiptHandle})
		}
		invocations++
	}
	if err := st.close(); err != nil {
		t.Fatal(err)
	}
	queued := receiveAlerts(t, sqsc, alertQueue)
	if invocations < 4 || len(queued) < 30 || findAlert(queued, "StopLogging") == nil {
		t.Fatalf("%d invocations, %d alerts", invocations, len(queued))
	}
	if logged := strings.Count(stdout.String(), "\n"); logged != len(queued) {
		t.Fatalf("%d alerts logged to stdout, %d sent", logged, len(queued))
	}
	code, out, _ := runIndexCLI(t, "trail", "query", "--index", filepath.Join(dir, "index"), "--format", "json", "SELECT count(*) AS n FROM events")
	if code != ExitOK || !strings.Contains(out, `"n":310`) {
		t.Fatalf("index: %s", out)
	}
}
