package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/secure-baseline/baseline/internal/alert"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// putStratusLogs puts each Stratus Red Team detonation log into bucket as
// CloudTrail delivers it (gzip, AWSLogs/ layout) and returns the keys.
func putStratusLogs(t *testing.T, s3c *s3.Client, bucket string) []string {
	t.Helper()
	var keys []string
	for _, o := range shareddata.StratusLogs(t) {
		if _, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(o.Key), Body: bytes.NewReader(o.Data)}); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, o.Key)
	}
	return keys
}

func createQueue(t *testing.T, sqsc *sqs.Client, name string) (url, arn string) {
	t.Helper()
	q, err := sqsc.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := sqsc.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl), a.Attributes["QueueArn"]
}

// webhookReceiver is an HTTPS endpoint on loopback that checks signatures
// as a receiver should.
type webhookReceiver struct {
	*httptest.Server
	secret []byte
	mu     sync.Mutex
	alerts []alert.Alert
	bad    []string
}

func newWebhookReceiver(t *testing.T, secret string) *webhookReceiver {
	w := &webhookReceiver{secret: []byte(secret)}
	w.Server = httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		defer w.mu.Unlock()
		if err := alert.Verify(w.secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			w.bad = append(w.bad, err.Error())
			http.Error(rw, err.Error(), http.StatusUnauthorized)
			return
		}
		var a alert.Alert
		if err := json.Unmarshal(body, &a); err != nil || r.Header.Get(alert.DeliveryHeader) != a.ID {
			w.bad = append(w.bad, fmt.Sprintf("body %s: %v", body, err))
		}
		w.alerts = append(w.alerts, a)
	}))
	t.Cleanup(w.Close)
	return w
}

// caFile writes the server's certificate as a PEM file for --webhook-ca.
func (w *webhookReceiver) caFile(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTrailWatchEndToEnd: CloudTrail logs land in a bucket whose S3 event
// notifications feed a queue (moto delivers them); `trail watch --once`
// alerts to stdout, an SQS queue and a signed HTTPS webhook, indexes the
// events, and `trail query who-changed` answers. A second delivery of the
// same files alerts and indexes nothing more.
func TestTrailWatchEndToEnd(t *testing.T) {
	moto.Start(t)
	cfg := moto.Config(t)
	s3c := s3.NewFromConfig(cfg, awsx.S3Addressing, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	sqsc := sqs.NewFromConfig(cfg)
	ctx := context.Background()

	queue, queueARN := createQueue(t, sqsc, "trail-deliveries")
	alertQueue, _ := createQueue(t, sqsc, "security-alerts")
	bucket := "log-archive-trail"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(queueARN), Events: []s3types.Event{"s3:ObjectCreated:*"},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	keys := putStratusLogs(t, s3c, bucket)
	if n := queueDepth(t, sqsc, queue); n != len(keys)+1 { // and the s3:TestEvent
		t.Fatalf("moto queued %d notifications for %d objects", n, len(keys))
	}

	hook := newWebhookReceiver(t, "e2e-webhook-secret")
	t.Setenv("BASELINE_E2E_WEBHOOK_SECRET", "e2e-webhook-secret")
	dir := t.TempDir()
	index, alertsOut := filepath.Join(dir, "index"), filepath.Join(dir, "alerts.jsonl")
	watchArgs := []string{"trail", "watch", "--queue", queue, "--once", "--wait-time", "1s",
		"--index", index, "--state-dir", filepath.Join(dir, "state"), "--dead-letter", filepath.Join(dir, "dead.jsonl"),
		"--alert-sqs", alertQueue, "--alert-webhook", hook.URL + "/baseline", "--webhook-secret-env", "BASELINE_E2E_WEBHOOK_SECRET",
		"--webhook-ca", hook.caFile(t), "-o", alertsOut}
	code, _, errOut := runIndexCLI(t, watchArgs...)
	if code != ExitOK {
		t.Fatalf("watch exit %d:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, fmt.Sprintf("%d log files, 310 events", len(keys))) {
		t.Errorf("summary: %s", errOut)
	}

	printed := readAlerts(t, alertsOut)
	queued := receiveAlerts(t, sqsc, alertQueue)
	if len(printed) < 30 || len(queued) != len(printed) || len(hook.alerts) != len(printed) || len(hook.bad) > 0 {
		t.Fatalf("alerts: %d printed, %d on the queue, %d on the webhook (bad: %v)", len(printed), len(queued), len(hook.alerts), hook.bad)
	}
	ids := map[string]bool{}
	for _, a := range printed {
		ids[a.ID] = true
	}
	for _, a := range append(queued, hook.alerts...) {
		if !ids[a.ID] {
			t.Fatalf("alert %s delivered but not printed", a.ID)
		}
	}
	if a := findAlert(printed, "StopLogging"); a == nil || a.PrincipalARN == "" || a.Level == "" {
		t.Errorf("no alert for StopLogging: %+v", printed)
	}
	if _, err := os.Stat(filepath.Join(dir, "dead.jsonl")); !os.IsNotExist(err) {
		t.Errorf("dead letters written: %v", err)
	}

	code, out, errOut := runIndexCLI(t, "trail", "query", "--index", index, "--format", "json", "who-changed", "i-DDd6c7B0e18F0E35f")
	if code != ExitOK {
		t.Fatalf("who-changed exit %d: %s", code, errOut)
	}
	var names []string
	for _, o := range jsonLines(t, out, append(eventContract, "what")...) {
		names = append(names, o["event_name"].(string))
	}
	if strings.Join(names, ",") != "StartInstances,ModifyInstanceAttribute,StopInstances" {
		t.Errorf("who-changed: %q", names)
	}

	// The same files delivered again: nothing new is alerted or indexed.
	for _, key := range keys[:5] {
		if _, err := s3c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			CopySource: aws.String(bucket + "/" + key), MetadataDirective: s3types.MetadataDirectiveReplace}); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errOut = runIndexCLI(t, watchArgs...)
	if code != ExitOK || !strings.Contains(errOut, "5 log files") || !strings.Contains(errOut, "0 detections") {
		t.Fatalf("second watch exit %d:\n%s", code, errOut)
	}
	if again := readAlerts(t, alertsOut); len(again) != 0 || len(receiveAlerts(t, sqsc, alertQueue)) != 0 {
		t.Fatalf("redelivered files alerted again: %+v", again)
	}
	code, out, _ = runIndexCLI(t, "trail", "query", "--index", index, "--format", "json", "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events")
	if code != ExitOK || !strings.Contains(out, `"n":310`) || !strings.Contains(out, `"d":310`) {
		t.Fatalf("index after redelivery: %s", out)
	}
}

func TestTrailWatchUsage(t *testing.T) {
	q := "https://sqs.us-east-1.amazonaws.com/111122223333/q"
	for want, args := range map[string][]string{
		"--queue is required": {"trail", "watch"},
		"--wait-time":         {"trail", "watch", "--queue", q, "--wait-time", "30s"},
		"--listen":            {"trail", "watch", "--queue", q, "--listen", "not-an-address"},
	} {
		if code, _, errOut := runIndexCLI(t, args...); code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
	}
}

func queueDepth(t *testing.T, sqsc *sqs.Client, url string) int {
	t.Helper()
	a, err := sqsc.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(a.Attributes["ApproximateNumberOfMessages"], &n)
	return n
}

func readAlerts(t *testing.T, path string) []alert.Alert {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []alert.Alert
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var a alert.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("alert line %q: %v", sc.Text(), err)
		}
		out = append(out, a)
	}
	return out
}

func receiveAlerts(t *testing.T, sqsc *sqs.Client, url string) []alert.Alert {
	t.Helper()
	var out []alert.Alert
	for {
		r, err := sqsc.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			return out
		}
		for _, m := range r.Messages {
			var a alert.Alert
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &a); err != nil {
				t.Fatal(err)
			}
			if aws.ToString(m.MessageAttributes["rule_id"].StringValue) != a.RuleID {
				t.Fatalf("attributes %v of %s", m.MessageAttributes, aws.ToString(m.Body))
			}
			out = append(out, a)
			if _, err := sqsc.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func findAlert(as []alert.Alert, eventName string) *alert.Alert {
	for i := range as {
		if as[i].EventName == eventName {
			return &as[i]
		}
	}
	return nil
}

// A dead letter goes back to the sink that refused it, given again.
func TestTrailAlertsReplay(t *testing.T) {
	hook := newWebhookReceiver(t, "replay-secret")
	t.Setenv("BASELINE_REPLAY_SECRET", "replay-secret")
	url := hook.URL + "/in"
	sink, err := alert.NewWebhook(url, []byte("replay-secret"), hook.Client())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "dead.jsonl")
	dl := alert.NewDeadLetter(file)
	for _, e := range []alert.DeadEntry{
		{Sink: sink.Name(), Attempts: 5, Error: "HTTP 503", Alert: &alert.Alert{ID: "a1", RuleID: "r", Count: 1}},
		{Sink: "slack:hooks.slack.com/… #00000000", Attempts: 5, Error: "HTTP 500", Alert: &alert.Alert{ID: "a2", RuleID: "r", Count: 1}},
	} {
		if err := dl.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errOut := runIndexCLI(t, "trail", "alerts", "replay", file, "--alert-webhook", url,
		"--webhook-secret-env", "BASELINE_REPLAY_SECRET", "--webhook-ca", hook.caFile(t))
	if code != ExitIncomplete || !strings.Contains(errOut, "1 sent, 0 failed again, 1 without a matching sink") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if len(hook.alerts) != 1 || hook.alerts[0].ID != "a1" || len(hook.bad) != 0 {
		t.Fatalf("webhook got %+v (bad %v)", hook.alerts, hook.bad)
	}
	left, err := os.ReadFile(file)
	if err != nil || strings.Count(string(left), "\n") != 1 || !strings.Contains(string(left), `"id":"a2"`) {
		t.Fatalf("left in the file: %s (%v)", left, err)
	}
}

func TestTrailWatchReadsAlertsFromConfig(t *testing.T) {
	dir := t.TempDir()
	q := "https://sqs.us-east-1.amazonaws.com/111122223333/q"
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("trail:\n  alerts:\n    sms: [x]\n"), 0o644)
	if code, _, errOut := runIndexCLI(t, "trail", "watch", "--queue", q, "-f", bad); code != ExitUsage || !strings.Contains(errOut, `3:5: unknown key "sms"`) {
		t.Fatalf("bad config: exit %d, %s", code, errOut)
	}
	// The file's webhook needs its secret from the environment: its absence
	// proves the sinks came from the file.
	good := filepath.Join(dir, "baseline.yaml")
	os.WriteFile(good, []byte("trail:\n  alerts:\n    webhooks: [{url: 'https://hooks.example.com/x', secret_env: BASELINE_TEST_UNSET_SECRET}]\n"), 0o644)
	t.Setenv("BASELINE_TEST_UNSET_SECRET", "")
	moto.Start(t)
	code, _, errOut := runIndexCLI(t, "trail", "watch", "--queue", q, "-f", good, "--index", filepath.Join(dir, "idx"), "--state-dir", filepath.Join(dir, "st"), "--once")
	if code == ExitOK || !strings.Contains(errOut, "BASELINE_TEST_UNSET_SECRET") {
		t.Fatalf("config webhook without its secret: exit %d, %s", code, errOut)
	}
}
