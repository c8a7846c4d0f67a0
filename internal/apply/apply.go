// Package apply carries out a plan: every change through its control's op,
// in dependency order, under one concurrency budget. It is the only path of
// baseline that holds mutating AWS clients, and it makes only the changes
// the plan lists.
package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/sched"
)

// Status of one change after apply.
type Status string

const (
	Done    Status = "done"
	Failed  Status = "failed"
	Skipped Status = "skipped" // a change it depends on failed
)

// Event reports one change as it starts (Status "") or ends.
type Event struct {
	Change   *catalog.Change
	Status   Status
	Err      error
	Attempts int
	Took     time.Duration
}

// Configs gives the credentials of an account in a region ("" for the home
// region); awsx.Sessions provides them through one AssumeRole per account.
type Configs func(ctx context.Context, account, region string) (aws.Config, error)

// Options tune an apply.
type Options struct {
	Concurrency int
	// Progress receives every event; it is called from many goroutines, one
	// call at a time.
	Progress func(Event)
	// RetryFor bounds how long a change keeps retrying errors its op marked
	// retryable (eventual consistency); default two minutes.
	RetryFor time.Duration
	// Backoff is the first wait between retries; default one second.
	Backoff time.Duration
}

// Result counts what happened to the plan's changes.
type Result struct {
	Done, Failed, Skipped int
	Events                []Event
}

// Run applies every change of p. A failed change fails alone: what depends on
// it is skipped, everything else still runs, so a re-run has less to do.
func Run(ctx context.Context, p *plan.Plan, configs Configs, opts Options) (*Result, error) {
	g, err := graph(p.Changes)
	if err != nil {
		return nil, err
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.RetryFor <= 0 {
		opts.RetryFor = 2 * time.Minute
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	// Changes continue the call chain of what they waited for, so that the
	// benchmarks can tell the longest chain of dependent calls.
	ctx = sched.ForkChain(ctx)
	r := &runner{g: g, configs: configs, opts: opts, res: &Result{}, s: sched.New(ctx, opts.Concurrency)}
	r.mu.Lock()
	for i := range g.nodes {
		if g.nodes[i].waiting == 0 {
			r.start(ctx, i)
		}
	}
	r.mu.Unlock()
	r.s.Wait()
	if err := ctx.Err(); err != nil {
		return r.res, err
	}
	return r.res, nil
}

type runner struct {
	g       *dag
	configs Configs
	opts    Options
	s       *sched.Scheduler

	mu  sync.Mutex
	res *Result
}

// start submits node i; the caller holds r.mu.
func (r *runner) start(ctx context.Context, i int) {
	n := &r.g.nodes[i]
	r.s.Submit(sched.WithChainDepth(ctx, n.depth), func(ctx context.Context) {
		ev := r.do(ctx, n.change)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.finish(ctx, i, ev)
	})
}

// finish records the end of node i and starts or skips what waited on it;
// the caller holds r.mu.
func (r *runner) finish(ctx context.Context, i int, ev Event) {
	r.res.Events = append(r.res.Events, ev)
	switch ev.Status {
	case Done:
		r.res.Done++
	case Failed:
		r.res.Failed++
	case Skipped:
		r.res.Skipped++
	}
	if r.opts.Progress != nil {
		r.opts.Progress(ev)
	}
	depth := sched.ChainDepth(ctx)
	// A skipped change passes on the failure that caused it.
	cause := ev.Change.ID
	if ev.Status == Skipped {
		cause = r.g.nodes[i].cause
	}
	for _, j := range r.g.nodes[i].next {
		m := &r.g.nodes[j]
		m.depth = max(m.depth, depth)
		if ev.Status != Done && !m.doomed {
			m.doomed = true
			m.cause = cause
		}
		m.waiting--
		if m.waiting > 0 {
			continue
		}
		if m.doomed {
			r.finish(ctx, j, Event{Change: m.change, Status: Skipped, Err: fmt.Errorf("not applied: %s did not succeed", m.cause)})
			continue
		}
		r.start(ctx, j)
	}
}

// do runs one change, retrying what its op marked retryable.
func (r *runner) do(ctx context.Context, ch *catalog.Change) Event {
	if r.opts.Progress != nil {
		r.mu.Lock()
		r.opts.Progress(Event{Change: ch})
		r.mu.Unlock()
	}
	start := time.Now()
	ev := Event{Change: ch}
	ctl, ok := catalog.Get(ch.ControlID)
	if !ok || ctl.Fix == nil || ctl.Fix.Ops[ch.Op] == nil {
		ev.Status, ev.Err = Failed, fmt.Errorf("control %s has no op %q", ch.ControlID, ch.Op)
		return ev
	}
	op := ctl.Fix.Ops[ch.Op]
	cfg, err := r.configs(ctx, ch.AccountID, ch.Region)
	if err != nil {
		ev.Status, ev.Err, ev.Took = Failed, fmt.Errorf("credentials for %s: %w", ch.AccountID, err), time.Since(start)
		return ev
	}
	wait := r.opts.Backoff
	for {
		ev.Attempts++
		err = op(ctx, cfg, ch)
		if err == nil || !catalog.IsRetryable(err) || time.Since(start)+wait > r.opts.RetryFor {
			break
		}
		select {
		case <-ctx.Done():
			err = errors.Join(err, ctx.Err())
		case <-time.After(wait):
			wait = min(2*wait, 15*time.Second)
			continue
		}
		break
	}
	ev.Took = time.Since(start)
	if err != nil {
		ev.Status, ev.Err = Failed, err
		return ev
	}
	ev.Status = Done
	return ev
}

// SessionConfigs gives each change the credentials of its account through
// the sessions (one AssumeRole per account), in the change's region or home
// for global changes.
func SessionConfigs(ss *awsx.Sessions, home string) Configs {
	return func(ctx context.Context, account, region string) (aws.Config, error) {
		cfg, err := ss.Account(ctx, account)
		if err != nil {
			return cfg, err
		}
		if region == "" {
			region = home
		}
		return awsx.InRegion(cfg, region), nil
	}
}
