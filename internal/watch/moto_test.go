package watch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/detect"
	"github.com/secure-baseline/baseline/internal/testutil/shareddata"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/secure-baseline/baseline/internal/alert"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/index"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// logObject is one Stratus Red Team detonation log as CloudTrail would
// deliver it: gzip, under the AWSLogs/ layout of its first event.
type logObject struct {
	key     string
	data    []byte
	records []*cloudtrail.Record
}

func stratusObjects(t *testing.T) []logObject {
	t.Helper()
	var out []logObject
	for _, o := range shareddata.StratusLogs(t) {
		obj := logObject{key: o.Key, data: o.Data}
		for _, raw := range o.Records {
			r, err := cloudtrail.ParseRecord(raw)
			if err != nil {
				t.Fatalf("%s: %v", o.Key, err)
			}
			obj.records = append(obj.records, r)
		}
		out = append(out, obj)
	}
	return out
}

// trailBucket makes a bucket notifying a queue of every object created,
// puts the objects, and returns the queue URL. moto delivers S3 event
// notifications to SQS, as S3 does (and the s3:TestEvent first).
func trailBucket(t *testing.T, s3c *s3.Client, sqsc *sqs.Client, objects []logObject) string {
	t.Helper()
	ctx := context.Background()
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("trail-deliveries")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	bucket := aws.String("org-trail-logs")
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: bucket,
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(attrs.Attributes["QueueArn"]), Events: []s3types.Event{"s3:ObjectCreated:*"},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(o.key), Body: bytes.NewReader(o.data)}); err != nil {
			t.Fatal(err)
		}
	}
	// One digest file: notified too, and never read as events.
	digest := "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/07/31/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20240731T130524Z.json.gz"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(digest), Body: strings.NewReader("not events")}); err != nil {
		t.Fatal(err)
	}
	n, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n.Attributes["ApproximateNumberOfMessages"], fmt.Sprint(len(objects)+2); got != want {
		t.Fatalf("moto queued %s notifications, want %s (objects, the digest and the test event)", got, want)
	}
	return aws.ToString(q.QueueUrl)
}

// process is one run of `trail watch --once` in this test process: its own
// detector, index writer, notifier and seen-set, as after a restart.
type process struct {
	watcher  *Watcher
	writer   *index.Writer
	notifier *alert.Notifier
}

func startProcess(t *testing.T, s3api S3API, idx func(*index.Writer) Index, sqsapi SQSAPI, sqsc *sqs.Client, queue, alertQueue, state, root string) *process {
	t.Helper()
	rs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	det, err := NewDetector(rs, "")
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(prometheus.NewRegistry())
	n, err := alert.Open(alert.Options{Sinks: []alert.Sink{alert.NewSQS(sqsc, alertQueue)}, StateDir: state, OnResult: m.AlertResult})
	if err != nil {
		t.Fatal(err)
	}
	w := index.NewWriter(root)
	p := New(Config{S3: s3api, Detector: det, Index: idx(w), Notifier: n, Metrics: m})
	return &process{
		watcher:  &Watcher{SQS: sqsapi, QueueURL: queue, Pipeline: p, WaitTime: time.Second, Visibility: visibility, Once: true, Metrics: m},
		writer:   w,
		notifier: n,
	}
}

// visibility is short so that messages a dead process held come back soon.
const visibility = 3 * time.Second

// dieBeforeDelete is killed after its first batch was committed, before
// the messages are deleted: they come back when their visibility ends.
type dieBeforeDelete struct {
	SQSAPI
	cancel context.CancelFunc
}

func (d dieBeforeDelete) DeleteMessageBatch(context.Context, *sqs.DeleteMessageBatchInput, ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	d.cancel()
	return nil, errors.New("injected: killed")
}

// failingIndex fails on the nth event: the disk fills, or the process dies,
// before the batch is committed.
type failingIndex struct {
	Index
	n int
}

func (f *failingIndex) Add(r *cloudtrail.Record) (bool, error) {
	if f.n--; f.n == 0 {
		return false, errors.New("injected: no space left on device")
	}
	return f.Index.Add(r)
}

// Stopped or killed three times in the middle of a batch, restarted each time: every event is
// indexed once, and every detection alerted once.
func TestWatchCrashAndRestartLosesNothingAndAlertsOnce(t *testing.T) {
	moto.Start(t)
	cfg := moto.Config(t)
	s3c := s3.NewFromConfig(cfg, awsx.S3Addressing, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	sqsc := sqs.NewFromConfig(cfg)
	objects := stratusObjects(t)
	queue := trailBucket(t, s3c, sqsc, objects)
	aq, err := sqsc.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	alertQueue := aws.ToString(aq.QueueUrl)
	state, root := t.TempDir(), t.TempDir()
	plain := func(w *index.Writer) Index { return w }

	// 1. SIGTERM after 12 objects: the batch in flight is abandoned, and the
	// process is then killed before its alert windows end (no Close).
	ctx, cancel := context.WithCancel(context.Background())
	p := startProcess(t, &cancelAfter{S3API: s3c, n: 12, cancel: cancel}, plain, sqsc, sqsc, queue, alertQueue, state, root)
	if err := p.watcher.Run(ctx); err != nil {
		t.Fatalf("run 1: %v", err)
	}
	if err := p.writer.Close(); err != nil {
		t.Fatal(err)
	}

	// 2. Killed after committing a batch, before deleting its messages.
	ctx, cancel = context.WithCancel(context.Background())
	p = startProcess(t, s3c, plain, dieBeforeDelete{SQSAPI: sqsc, cancel: cancel}, sqsc, queue, alertQueue, state, root)
	if err := p.watcher.Run(ctx); err != nil {
		t.Fatalf("run 2: %v", err)
	}
	if err := p.writer.Close(); err != nil {
		t.Fatal(err)
	}

	// 3. The disk fails on the 5th event: nothing of that batch is
	// committed, and the process dies.
	p = startProcess(t, s3c, func(w *index.Writer) Index { return &failingIndex{Index: w, n: 5} }, sqsc, sqsc, queue, alertQueue, state, root)
	if err := p.watcher.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("run 3: %v", err)
	}

	// 4. A clean drain, once the messages of run 2 are visible again.
	time.Sleep(visibility)
	p = startProcess(t, s3c, plain, sqsc, sqsc, queue, alertQueue, state, root)
	if err := p.watcher.Run(context.Background()); err != nil {
		t.Fatalf("run 4: %v", err)
	}
	if err := errors.Join(p.writer.Close(), p.notifier.Close(context.Background())); err != nil {
		t.Fatal(err)
	}

	// Every event is in the index, once.
	want := map[string]bool{}
	for _, o := range objects {
		for _, r := range o.records {
			want[r.EventID] = true
		}
	}
	l, err := index.OpenLocal(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	total, distinct := countEvents(t, l)
	if total != len(want) || distinct != len(want) {
		t.Fatalf("index holds %d events (%d distinct), want %d", total, distinct, len(want))
	}

	// Every detection of a rule on an event is alerted once, and none is lost.
	alerted := drainAlerts(t, sqsc, alertQueue)
	for k, n := range alerted {
		if n != 1 {
			t.Errorf("%s alerted %d times", k, n)
		}
	}
	for _, k := range expectedDetections(t, objects) {
		if alerted[k] == 0 {
			t.Errorf("detection %s lost", k)
		}
	}
	if len(alerted) < 35 {
		t.Fatalf("only %d detections alerted", len(alerted))
	}
	t.Logf("%d events indexed once, %d detections alerted once", total, len(alerted))
	// The journal, the alert log, holds each detection once.
	for k, n := range journalKeys(t, filepath.Join(state, "alerts.journal")) {
		if n != 1 {
			t.Errorf("journal holds %s %d times", k, n)
		}
	}
}

// expectedDetections runs the built-in rules over each file on its own: the
// detections of single events, which do not depend on delivery order.
func expectedDetections(t *testing.T, objects []logObject) []string {
	t.Helper()
	rs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	det, err := NewDetector(rs, "")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objects {
		b := det.NewBatch()
		for _, r := range o.records {
			b.Add(r)
		}
		for _, d := range b.Commit() {
			if d.Count == 0 {
				keys = append(keys, d.RuleID+"/"+d.EventID)
			}
		}
	}
	return keys
}

func countEvents(t *testing.T, l *index.Local) (total, distinct int) {
	t.Helper()
	rows, err := l.Query(context.Background(), "SELECT count(*), count(DISTINCT event_id) FROM events")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	v := rows.Values()
	return toInt(v[0]), toInt(v[1])
}

func toInt(v any) int {
	switch n := v.(type) {
	case int64:
		return int(n)
	case uint64:
		return int(n)
	case int32:
		return int(n)
	}
	panic(fmt.Sprintf("%T", v))
}

// drainAlerts reads every alert on the queue and counts each rule and event.
func drainAlerts(t *testing.T, sqsc *sqs.Client, url string) map[string]int {
	t.Helper()
	got := map[string]int{}
	for {
		out, err := sqsc.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return got
		}
		for _, m := range out.Messages {
			var a alert.Alert
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &a); err != nil {
				t.Fatal(err)
			}
			for _, id := range a.EventIDs {
				got[a.RuleID+"/"+id]++
			}
			if _, err := sqsc.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// journalKeys counts the accepted detections in the journal by key.
func journalKeys(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct {
			D *detect.Detection `json:"d"`
			K string            `json:"k"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		switch {
		case l.D != nil:
			n[l.D.Key()]++
		case l.K != "":
			n[l.K]++
		}
	}
	return n
}
