package watch

import (
	"context"
	"errors"
	"fmt"
	"github.com/secure-baseline/baseline/internal/detect"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// Message is one SQS message, from ReceiveMessage or a Lambda event.
type Message struct {
	ID      string
	Receipt string
	Body    string
	Sent    time.Time // SentTimestamp; zero when unknown
}

// S3API is the part of *s3.Client the pipeline calls.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Index stores events, dropping those it holds already (index.Writer).
type Index interface {
	Add(*cloudtrail.Record) (bool, error)
	Flush() error
}

// Notifier accepts detections durably (alert.Notifier).
type Notifier interface {
	Notify([]detect.Detection) (int, error)
}

// Pipeline turns messages into indexed events and alerts. It is used from
// one goroutine.
type Pipeline struct {
	s3       S3API
	detector Detector
	index    Index // nil: not indexed
	notifier Notifier
	metrics  *Metrics
	log      *slog.Logger
	// seen holds the events of this process's committed (or committing)
	// batches: a message delivered again, or an event in two files (an
	// organization trail and an account trail), is not fed twice to the
	// correlations.
	seen *cloudtrail.Dedup
}

// Config builds a Pipeline.
type Config struct {
	S3       S3API
	Detector Detector
	Index    Index // optional
	Notifier Notifier
	Metrics  *Metrics
	Logger   *slog.Logger
}

// seenLimit bounds the event ids a pipeline remembers (some 30 MB).
const seenLimit = 1 << 20

// New returns a Pipeline.
func New(c Config) *Pipeline {
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Pipeline{s3: c.S3, detector: c.Detector, index: c.Index, notifier: c.Notifier,
		metrics: c.Metrics, log: log, seen: cloudtrail.NewDedup(seenLimit)}
}

// Process handles a batch of messages and returns those fully processed,
// which the caller may delete. A message whose object could not be read is
// not returned: it stays in the queue and comes back. Whatever was read,
// from every message, is then indexed (and flushed) and its detections are
// accepted by the notifier before Process returns, so the events of a
// message that is returned are durable, and those of one that is not are
// dropped as duplicates when it comes back.
//
// An error means local state could not be written (the index, the alert
// journal): stop, and let the queue deliver the batch again to a new
// process. When ctx ends, the messages not finished are not returned.
func (p *Pipeline) Process(ctx context.Context, msgs []Message) ([]Message, error) {
	var done []Message
	var dets []detect.Detection
	for _, m := range msgs {
		if ctx.Err() != nil {
			break
		}
		ok, err := p.message(ctx, m, &dets)
		if err != nil {
			return nil, err
		}
		if ok {
			done = append(done, m)
			p.metrics.Messages.WithLabelValues("done").Inc()
		}
	}
	if p.index != nil {
		if err := p.index.Flush(); err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
	}
	n, err := p.notifier.Notify(dets)
	if err != nil {
		return nil, err
	}
	p.metrics.Detections.Add(float64(n))
	return done, nil
}

// Drain closes the correlation windows still open, as at the end of the
// input, and accepts what they detect.
func (p *Pipeline) Drain() error {
	n, err := p.notifier.Notify(p.detector.Flush())
	p.metrics.Detections.Add(float64(n))
	return err
}

// message handles one message and reports whether it is done.
func (p *Pipeline) message(ctx context.Context, m Message, dets *[]detect.Detection) (bool, error) {
	env, err := ParseMessage([]byte(m.Body))
	if err != nil {
		// Left in the queue: its redrive policy moves it aside after a few
		// receives. Deleting what we cannot read would lose it silently.
		p.log.Warn("watch: message not understood", "message", m.ID, "error", err)
		p.metrics.Errors.WithLabelValues("parse").Inc()
		p.metrics.Messages.WithLabelValues("unknown").Inc()
		return false, nil
	}
	p.log.Debug("watch: message", "message", m.ID, "kind", env.Kind, "sns", env.SNS, "items", len(env.Items))
	for _, it := range env.Items {
		if ctx.Err() != nil {
			return false, nil
		}
		var ok bool
		if it.Record != nil {
			ok, err = p.record(it.Record, dets)
		} else {
			ok, err = p.object(ctx, it, dets)
		}
		if err != nil || !ok {
			if err == nil {
				p.metrics.Messages.WithLabelValues("retry").Inc()
			}
			return false, err
		}
	}
	return true, nil
}

// record handles an event delivered by EventBridge.
func (p *Pipeline) record(raw []byte, dets *[]detect.Detection) (bool, error) {
	r, err := cloudtrail.ParseRecord(raw)
	if err != nil {
		p.log.Warn("watch: skipped an EventBridge event that is not a CloudTrail record", "error", err)
		p.metrics.Errors.WithLabelValues("read").Inc()
		return true, nil // it will not parse any better next time
	}
	b := p.detector.NewBatch()
	if err := p.add(b, r); err != nil {
		return false, err
	}
	*dets = append(*dets, b.Commit()...)
	return true, nil
}

// object reads one S3 object. It returns false, nil when the object could
// not be read for a reason that may pass (network, permissions): the
// records read so far are kept, and the message will come back.
func (p *Pipeline) object(ctx context.Context, it Item, dets *[]detect.Detection) (bool, error) {
	name := "s3://" + it.Bucket + "/" + it.Key
	kind := cloudtrail.ParseLocation(it.Key).Kind
	if kind != cloudtrail.KindLog {
		p.metrics.Objects.WithLabelValues(kind.String()).Inc() // digests and insights are not events
		return true, nil
	}
	var opts []func(*s3.Options)
	if it.Region != "" {
		opts = append(opts, func(o *s3.Options) { o.Region = it.Region })
	}
	out, err := p.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(it.Bucket), Key: aws.String(it.Key)}, opts...)
	if err != nil {
		if awsx.IsNotFound(err) {
			p.log.Warn("watch: object gone before it was read", "object", name, "error", err)
			p.metrics.Objects.WithLabelValues("bad").Inc()
			return true, nil
		}
		p.log.Warn("watch: could not download; the message will come back", "object", name, "error", err)
		p.metrics.Errors.WithLabelValues("download").Inc()
		return false, nil
	}
	body := &transport{r: out.Body}
	defer out.Body.Close()
	sp := cloudtrail.NewSplitter(body, name)
	b := p.detector.NewBatch()
	defer func() { *dets = append(*dets, b.Commit()...) }()
	for {
		r, err := sp.NextRecord()
		switch {
		case err == io.EOF:
			p.metrics.Objects.WithLabelValues("log").Inc()
			return true, nil
		case err != nil && body.err != nil:
			p.log.Warn("watch: download cut short; the message will come back", "object", name, "error", body.err)
			p.metrics.Errors.WithLabelValues("download").Inc()
			return false, nil
		case err != nil:
			// Corrupt or truncated as stored: reading again would not help.
			p.log.Warn("watch: skipped the rest of a bad file", "error", err)
			p.metrics.Objects.WithLabelValues("bad").Inc()
			return true, nil
		}
		if err := p.add(b, r); err != nil {
			return false, err
		}
		if ctx.Err() != nil {
			return false, nil
		}
	}
}

// add feeds a record to detection and the index, once per process.
func (p *Pipeline) add(b Batch, r *cloudtrail.Record) error {
	p.metrics.Events.Inc()
	if p.seen.Seen(r.EventID, r.EventTime) {
		p.metrics.Duplicates.Inc()
		return nil
	}
	b.Add(r)
	if p.index == nil {
		return nil
	}
	if _, err := p.index.Add(r); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

// transport remembers the first error of the download itself, to tell a
// connection cut (read again later) from a corrupt file (skip it).
type transport struct {
	r   io.Reader
	err error
}

func (t *transport) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && t.err == nil {
		t.err = err
	}
	return n, err
}
