package watch

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/detect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/secure-baseline/baseline/internal/alert"
	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

const logPrefix = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/07/31/"

// event is a CloudTrail record; i makes its id and time.
func event(i int, name string) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","eventID":"00000000-0000-4000-8000-%012d","eventTime":"2024-07-31T13:%02d:%02dZ",`+
		`"eventName":%q,"eventSource":"cloudtrail.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111122223333",`+
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333"},`+
		`"sourceIPAddress":"203.0.113.9","requestParameters":{"name":"main"},"readOnly":false,"eventType":"AwsApiCall"}`,
		i, i/60%60, i%60, name)
}

func eventID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// gzLog is a CloudTrail log file holding events.
func gzLog(events ...string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, `{"Records":[`)
	for i, e := range events {
		if i > 0 {
			io.WriteString(zw, ",")
		}
		io.WriteString(zw, e)
	}
	io.WriteString(zw, "]}")
	zw.Close()
	return b.Bytes()
}

func s3Message(id, bucket string, keys ...string) Message {
	body := `{"Records":[`
	for i, k := range keys {
		if i > 0 {
			body += ","
		}
		body += fmt.Sprintf(`{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","awsRegion":"us-east-1","s3":{"bucket":{"name":%q},"object":{"key":%q}}}`, bucket, k)
	}
	return Message{ID: id, Receipt: "r-" + id, Body: body + "]}"}
}

// fakeS3 serves objects; fail makes a key fail once per entry, cut makes
// its body break after that many bytes, once.
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	fail    map[string][]error
	cut     map[string]int
	gets    []string
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := aws.ToString(in.Key)
	f.gets = append(f.gets, key)
	if errs := f.fail[key]; len(errs) > 0 {
		f.fail[key] = errs[1:]
		return nil, errs[0]
	}
	data, ok := f.objects[key]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NoSuchKey", Message: "The specified key does not exist."}
	}
	var body io.Reader = bytes.NewReader(data)
	if n, ok := f.cut[key]; ok {
		delete(f.cut, key)
		body = io.MultiReader(bytes.NewReader(data[:n]), errReader{io.ErrUnexpectedEOF})
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(body)}, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// nameDetector flags events by name, one rule per name.
type nameDetector struct{ names map[string]bool }

type nameBatch struct {
	d   *nameDetector
	out []detect.Detection
}

func (d *nameDetector) NewBatch() Batch           { return &nameBatch{d: d} }
func (d *nameDetector) Flush() []detect.Detection { return nil }
func (b *nameBatch) Commit() []detect.Detection   { return b.out }
func (b *nameBatch) Add(r *cloudtrail.Record) {
	if b.d.names[r.EventName] {
		b.out = append(b.out, detect.Detection{RuleID: "rule-" + r.EventName, RuleTitle: r.EventName, Level: "high",
			EventID: r.EventID, EventTime: r.EventTime, EventName: r.EventName, PrincipalARN: r.PrincipalARN})
	}
}

// memIndex counts the events added and flushed.
type memIndex struct {
	added   map[string]int
	pending []string
	durable map[string]bool
	fail    error
}

func newMemIndex() *memIndex { return &memIndex{added: map[string]int{}, durable: map[string]bool{}} }

func (x *memIndex) Add(r *cloudtrail.Record) (bool, error) {
	if x.fail != nil {
		return false, x.fail
	}
	x.added[r.EventID]++
	x.pending = append(x.pending, r.EventID)
	return x.added[r.EventID] == 1, nil
}

func (x *memIndex) Flush() error {
	for _, id := range x.pending {
		x.durable[id] = true
	}
	x.pending = nil
	return nil
}

// memSink records alerts.
type memSink struct {
	mu  sync.Mutex
	got []*alert.Alert
}

func (m *memSink) Name() string { return "mem:test" }
func (m *memSink) Send(_ context.Context, a *alert.Alert) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, a)
	return nil
}

// alertedEvents counts, per rule and event id, the alerts naming it.
func (m *memSink) alertedEvents() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := map[string]int{}
	for _, a := range m.got {
		for _, id := range a.EventIDs {
			n[a.RuleID+"/"+id]++
		}
	}
	return n
}

type rig struct {
	p        *Pipeline
	s3       *fakeS3
	index    *memIndex
	sink     *memSink
	notifier *alert.Notifier
	metrics  *Metrics
	reg      *prometheus.Registry
}

func newRig(t *testing.T, names ...string) *rig {
	t.Helper()
	r := &rig{s3: &fakeS3{objects: map[string][]byte{}, fail: map[string][]error{}, cut: map[string]int{}},
		index: newMemIndex(), sink: &memSink{}, reg: prometheus.NewRegistry()}
	r.metrics = NewMetrics(r.reg)
	n, err := alert.Open(alert.Options{Sinks: []alert.Sink{r.sink}, Window: time.Hour, StateDir: t.TempDir(), OnResult: r.metrics.AlertResult})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close(context.Background()) })
	r.notifier = n
	det := &nameDetector{names: map[string]bool{}}
	for _, name := range names {
		det.names[name] = true
	}
	r.p = New(Config{S3: r.s3, Detector: det, Index: r.index, Notifier: n, Metrics: r.metrics})
	return r
}

func (r *rig) process(t *testing.T, msgs ...Message) []string {
	t.Helper()
	done, err := r.p.Process(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, m := range done {
		ids = append(ids, m.ID)
	}
	return ids
}

// cancelAfter cancels the context once the nth object is downloaded: a
// SIGTERM in the middle of a batch.
type cancelAfter struct {
	S3API
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return c.S3API.GetObject(ctx, in, opts...)
}
