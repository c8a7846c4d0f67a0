package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/secure-baseline/baseline/internal/alert"
	"github.com/secure-baseline/baseline/internal/awsx"
)

// SQSAPI is the part of *sqs.Client the watcher calls.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// Watcher long-polls a queue and runs each batch through a Pipeline.
type Watcher struct {
	SQS      SQSAPI
	QueueURL string
	Pipeline *Pipeline
	// WaitTime is the long poll; default (and SQS's maximum) 20s.
	WaitTime time.Duration
	// Visibility hides a received batch from other consumers; it is renewed
	// every third of it while the batch is processed. Default 2 minutes.
	Visibility time.Duration
	// Once drains the queue: Run returns at the first empty receive, after
	// closing the correlation windows.
	Once    bool
	Metrics *Metrics
	Logger  *slog.Logger

	lastPoll atomic.Int64 // Unix nanoseconds of the last answered receive
	retried  atomic.Int64 // messages left in the queue to come back
}

// ErrLeftInQueue is returned by a drain (Once) when some messages could not
// be processed: they are still in the queue.
var ErrLeftInQueue = errors.New("some messages could not be processed and are left in the queue")

// Run receives and processes batches until ctx ends (or, with Once, the
// queue is empty). A batch in flight when ctx ends is abandoned: its
// unfinished messages are made visible again at once, never deleted. Run
// returns an error when local state cannot be written (see
// Pipeline.Process).
func (w *Watcher) Run(ctx context.Context) error {
	w.defaults()
	w.lastPoll.Store(time.Now().UnixNano())
	backoff := time.Second
	for ctx.Err() == nil {
		out, err := w.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(w.QueueURL), MaxNumberOfMessages: 10,
			WaitTimeSeconds:             int32(w.WaitTime / time.Second),
			VisibilityTimeout:           int32(w.Visibility / time.Second),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameSentTimestamp},
		}, w.regionOpt())
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			w.Metrics.Errors.WithLabelValues("receive").Inc()
			// A queue that does not exist, or that we may not read, will
			// not get better by waiting: say so and stop.
			if c := awsx.Classify(err); c == awsx.ClassNotFound || c == awsx.ClassAccessDenied {
				return fmt.Errorf("receive from %s: %w", w.QueueURL, err)
			}
			w.Logger.Warn("watch: receive failed", "queue", w.QueueURL, "error", err, "retry_in", backoff)
			if sleepCtx(ctx, backoff) != nil {
				break
			}
			backoff = min(2*backoff, time.Minute)
			continue
		}
		backoff = time.Second
		now := time.Now()
		w.lastPoll.Store(now.UnixNano())
		w.Metrics.LastPoll.Set(float64(now.Unix()))
		if len(out.Messages) == 0 {
			if w.Once {
				return w.drained()
			}
			continue
		}
		if err := w.batch(ctx, messages(out.Messages)); err != nil {
			return err
		}
	}
	return nil
}

func (w *Watcher) defaults() {
	if w.WaitTime <= 0 {
		w.WaitTime = 20 * time.Second
	}
	if w.Visibility <= 0 {
		w.Visibility = 2 * time.Minute
	}
	if w.Logger == nil {
		w.Logger = slog.Default()
	}
}

func (w *Watcher) drained() error {
	if err := w.Pipeline.Drain(); err != nil {
		return err
	}
	if n := w.retried.Load(); n > 0 {
		return errors.Join(ErrLeftInQueue, errors.New(strconv.FormatInt(n, 10)+" message(s)"))
	}
	return nil
}

// batch processes one receive. Messages not done stay hidden until their
// visibility ends (a pause before they are tried again), except when
// shutting down: then they are released for the next process at once.
func (w *Watcher) batch(ctx context.Context, msgs []Message) error {
	w.Metrics.observeLag(msgs, time.Now())
	stop := w.heartbeat(msgs)
	done, err := w.Pipeline.Process(ctx, msgs)
	stop()
	if err != nil {
		w.setVisibility(msgs, 0)
		return err
	}
	w.delete(done)
	left := without(msgs, done)
	if ctx.Err() != nil {
		w.setVisibility(left, 0)
		return nil
	}
	w.retried.Add(int64(len(left)))
	return nil
}

// heartbeat renews the batch's visibility until stop is called, so that a
// slow batch is not delivered to another consumer meanwhile.
func (w *Watcher) heartbeat(msgs []Message) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(w.Visibility / 3)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				w.setVisibility(msgs, w.Visibility)
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}

// setVisibility is best effort: a message it misses becomes visible when
// its current timeout ends anyway. It runs on its own context so that it
// still works during shutdown.
func (w *Watcher) setVisibility(msgs []Message, d time.Duration) {
	if len(msgs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in := &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(w.QueueURL)}
	for i, m := range msgs {
		in.Entries = append(in.Entries, types.ChangeMessageVisibilityBatchRequestEntry{
			Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.Receipt), VisibilityTimeout: int32(d / time.Second),
		})
	}
	out, err := w.SQS.ChangeMessageVisibilityBatch(ctx, in, w.regionOpt())
	if err == nil && len(out.Failed) > 0 {
		err = errors.New(aws.ToString(out.Failed[0].Message))
	}
	if err != nil {
		w.Metrics.Errors.WithLabelValues("visibility").Inc()
		w.Logger.Warn("watch: could not change message visibility", "error", err)
	}
}

// delete removes the messages done. One that fails to go comes back and
// is dropped then as a duplicate.
func (w *Watcher) delete(msgs []Message) {
	if len(msgs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(w.QueueURL)}
	for i, m := range msgs {
		in.Entries = append(in.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.Receipt)})
	}
	out, err := w.SQS.DeleteMessageBatch(ctx, in, w.regionOpt())
	if err == nil && len(out.Failed) > 0 {
		err = errors.New(aws.ToString(out.Failed[0].Message))
	}
	if err != nil {
		w.Metrics.Errors.WithLabelValues("delete").Inc()
		w.Logger.Warn("watch: could not delete processed messages; they will be dropped as duplicates when they come back", "error", err)
	}
}

// Healthy reports an error when the queue has not answered for longer than
// a few long polls and a batch's worth of visibility.
func (w *Watcher) Healthy() error {
	limit := 3*w.WaitTime + 2*w.Visibility
	if since := time.Since(time.Unix(0, w.lastPoll.Load())); since > limit {
		return errors.New("no answer from the queue for " + since.Round(time.Second).String())
	}
	return nil
}

// regionOpt points calls at the queue's region, whatever the client's.
func (w *Watcher) regionOpt() func(*sqs.Options) {
	region := alert.QueueRegion(w.QueueURL)
	return func(o *sqs.Options) {
		if region != "" {
			o.Region = region
		}
	}
}

func messages(in []types.Message) []Message {
	out := make([]Message, len(in))
	for i, m := range in {
		out[i] = Message{ID: aws.ToString(m.MessageId), Receipt: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
			Sent: sentTime(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)])}
	}
	return out
}

// sentTime reads SentTimestamp, Unix milliseconds.
func sentTime(ms string) time.Time {
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}

func without(all, done []Message) []Message {
	gone := make(map[string]bool, len(done))
	for _, m := range done {
		gone[m.ID] = true
	}
	var left []Message
	for _, m := range all {
		if !gone[m.ID] {
			left = append(left, m)
		}
	}
	return left
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
