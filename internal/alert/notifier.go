package alert

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/secure-baseline/baseline/internal/detect"
	"log/slog"
	"path/filepath"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultWindow    = 5 * time.Minute
	DefaultRetention = 14 * 24 * time.Hour // SQS keeps a message at most 14 days
)

// Result is the outcome of one delivery attempt, reported to Options.OnResult.
type Result string

const (
	Sent         Result = "sent"
	Failed       Result = "failed"        // an attempt failed; it may be retried
	DeadLettered Result = "dead_lettered" // given up: written to the dead-letter file
)

// Options configure a Notifier.
type Options struct {
	Sinks []Sink
	// Window groups detections of one rule and one principal: the first one
	// opens a window, and the group is sent as one alert when it ends.
	Window time.Duration
	Retry  Retry
	// StateDir holds the journal (alerts.journal); required.
	StateDir string
	// DeadLetter is the dead-letter file; default StateDir/alerts.dead.jsonl.
	DeadLetter string
	// Retention is how long a detection's key is remembered to drop its
	// redeliveries; default DefaultRetention.
	Retention time.Duration
	// OnResult, when set, is told of every attempt: the sink's Kind and the
	// outcome (metrics).
	OnResult func(kind string, r Result)
	Logger   *slog.Logger
}

// Notifier turns detections into alerts: it accepts each detection once,
// durably (Notify), groups them and delivers the groups to every sink with
// retries, writing what a sink will not take to the dead-letter file.
//
// Guarantee: a detection Notify accepted is delivered to every sink or
// dead-lettered, at least once, even across a crash (the journal keeps it
// until then); a detection with a key accepted before, within the retention,
// is dropped. A crash between a delivery and its record in the journal sends
// that alert again on restart, with the same Alert.ID.
type Notifier struct {
	opts Options
	dead *DeadLetter
	log  *slog.Logger

	ctx    context.Context // deliveries; cancelled when Close gives up waiting
	cancel context.CancelFunc
	sem    chan struct{} // bounds the deliveries sending at once

	mu       sync.Mutex
	idle     *sync.Cond // signalled when inflight drops to zero
	inflight int        // deliveries started and not finished
	journal  *journal
	groups   map[string]*group
	closed   bool
}

type group struct {
	ds    []detect.Detection
	timer *time.Timer
}

// Open opens the journal in opts.StateDir and schedules what it holds
// undelivered.
func Open(opts Options) (*Notifier, error) {
	if opts.StateDir == "" {
		return nil, errors.New("alert: no state directory")
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.DeadLetter == "" {
		opts.DeadLetter = filepath.Join(opts.StateDir, "alerts.dead.jsonl")
	}
	if opts.OnResult == nil {
		opts.OnResult = func(string, Result) {}
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	j, waiting, err := openJournal(filepath.Join(opts.StateDir, "alerts.journal"), opts.Retention, time.Now(), log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{
		opts: opts, dead: NewDeadLetter(opts.DeadLetter), log: log,
		ctx: ctx, cancel: cancel, sem: make(chan struct{}, 8),
		journal: j, groups: map[string]*group{},
	}
	n.idle = sync.NewCond(&n.mu)
	if len(waiting) > 0 {
		log.Info("alerts: resuming undelivered detections", "count", len(waiting))
	}
	n.mu.Lock()
	for _, p := range waiting {
		n.add(p.d, p.at)
	}
	n.mu.Unlock()
	return n, nil
}

// DeadLetterPath is the dead-letter file in use.
func (n *Notifier) DeadLetterPath() string { return n.dead.Path() }

// Notify accepts the detections not accepted before and returns how many.
// Once it returns without error they are on disk: the caller may let go of
// the events they came from.
func (n *Notifier) Notify(ds []detect.Detection) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return 0, errors.New("alert: notifier closed")
	}
	at := time.Now()
	fresh, err := n.journal.accept(ds, at)
	if err != nil {
		return 0, err
	}
	for _, d := range fresh {
		n.add(d, at)
	}
	return len(fresh), nil
}

// add puts d in its group, opening the group's window if needed. n.mu is held.
func (n *Notifier) add(d detect.Detection, at time.Time) {
	key := d.RuleID + "\x00" + d.PrincipalARN
	g := n.groups[key]
	if g == nil {
		g = &group{}
		n.groups[key] = g
		g.timer = time.AfterFunc(max(0, time.Until(at.Add(n.opts.Window))), func() { n.windowEnd(key, g) })
	}
	g.ds = append(g.ds, d)
}

func (n *Notifier) windowEnd(key string, g *group) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.groups[key] != g {
		return // taken by Flush
	}
	delete(n.groups, key)
	n.start(g.ds)
}

// start delivers a group in the background. n.mu is held.
func (n *Notifier) start(ds []detect.Detection) {
	n.inflight++
	go n.deliver(ds)
}

// Flush sends every open group now and waits until all deliveries, those
// of windows that ended before too, are done.
func (n *Notifier) Flush() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for key, g := range n.groups {
		g.timer.Stop()
		delete(n.groups, key)
		n.start(g.ds)
	}
	for n.inflight > 0 {
		n.idle.Wait()
	}
}

// Close flushes, waiting for deliveries until ctx ends; what is still
// undelivered then stays in the journal for the next Open.
func (n *Notifier) Close(ctx context.Context) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.mu.Unlock()
	done := make(chan struct{})
	go func() { n.Flush(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		n.cancel()
		<-done
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	n.cancel()
	return n.journal.close()
}

// deliver sends one group's alert to every sink and records the delivery
// once each sink took it or it was dead-lettered.
func (n *Notifier) deliver(ds []detect.Detection) {
	n.sem <- struct{}{}
	a := newAlert(ds)
	var wg sync.WaitGroup
	settled := make([]bool, len(n.opts.Sinks))
	for i, s := range n.opts.Sinks {
		wg.Go(func() { settled[i] = n.send(s, a) })
	}
	wg.Wait()
	<-n.sem

	n.mu.Lock()
	defer n.mu.Unlock()
	if n.inflight--; n.inflight == 0 {
		n.idle.Broadcast()
	}
	for _, ok := range settled {
		if !ok {
			return // stays pending in the journal
		}
	}
	keys := make([]string, len(ds))
	for i := range ds {
		keys[i] = ds[i].Key()
	}
	if err := n.journal.delivered(keys); err != nil {
		n.log.Error("alert journal: could not record a delivery; it will be sent again after a restart", "alert", a.ID, "error", err)
	}
}

// send delivers a to one sink with retries, dead-lettering it on failure,
// and reports whether a is settled for that sink.
func (n *Notifier) send(s Sink, a *Alert) bool {
	kind := Kind(s)
	attempts, err := n.opts.Retry.do(n.ctx, func(ctx context.Context) error {
		err := s.Send(ctx, a)
		if err != nil {
			n.opts.OnResult(kind, Failed)
		}
		return err
	})
	if err == nil {
		n.opts.OnResult(kind, Sent)
		return true
	}
	if n.ctx.Err() != nil {
		return false
	}
	body, _ := json.Marshal(a)
	// The alert is in the log too: where the file does not outlive the
	// process (Lambda's /tmp), the log is what keeps it.
	n.log.Error("alert dead-lettered", "sink", s.Name(), "attempts", attempts, "error", err,
		"file", n.dead.Path(), "alert", string(body))
	if werr := n.dead.Write(DeadEntry{Time: time.Now().UTC(), Sink: s.Name(), Attempts: attempts, Error: err.Error(), Alert: a}); werr != nil {
		n.log.Error("dead-letter file not written; the alert stays pending", "file", n.dead.Path(), "error", werr)
		return false
	}
	n.opts.OnResult(kind, DeadLettered)
	return true
}
