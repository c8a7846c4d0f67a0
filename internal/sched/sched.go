// Package sched runs work under one concurrency budget shared by accounts,
// regions, services and the resources inside them.
//
// Tasks never block waiting for a slot: Submit queues, and only the
// dispatcher waits for capacity, so a task may submit follow-up work (assume a
// role, then read its services) without the deadlocks of nested pools. Fan
// runs a task's per-resource work in parallel when slots are free and inline
// when they are not, so the budget is never exceeded and never idle.
package sched

import (
	"context"
	"sync"
)

// Scheduler is a work queue drained by at most Limit concurrent goroutines.
type Scheduler struct {
	ctx   context.Context
	slots chan struct{}

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []func(context.Context)
	pending sync.WaitGroup
	closed  bool
}

// New starts a scheduler with the given concurrency (at least 1).
func New(ctx context.Context, limit int) *Scheduler {
	if limit < 1 {
		limit = 1
	}
	s := &Scheduler{ctx: ctx, slots: make(chan struct{}, limit)}
	s.cond = sync.NewCond(&s.mu)
	go s.dispatch()
	return s
}

// Submit queues f. It never blocks. f runs with the scheduler's context,
// continuing the call chain of parent (the task that submitted it, or nil),
// and must return promptly once the scheduler's context is canceled.
func (s *Scheduler) Submit(parent context.Context, f func(context.Context)) {
	depth := 0
	if parent != nil {
		depth = ChainDepth(parent)
	}
	s.pending.Add(1)
	s.mu.Lock()
	s.queue = append(s.queue, func(ctx context.Context) {
		f(context.WithValue(ctx, chainKey{}, &chainCell{depth: depth}))
	})
	s.mu.Unlock()
	s.cond.Signal()
}

// Wait blocks until every submitted task, and the tasks they submitted, ended.
// The scheduler cannot be used afterwards.
func (s *Scheduler) Wait() {
	s.pending.Wait()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cond.Signal()
}

func (s *Scheduler) dispatch() {
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		if s.closed && len(s.queue) == 0 {
			s.mu.Unlock()
			return
		}
		f := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()

		s.slots <- struct{}{}
		go func() {
			defer func() { <-s.slots; s.pending.Done() }()
			f(s.ctx)
		}()
	}
}

// Fan calls f(i) for i in [0,n) and returns when all calls returned. Calls
// take a free slot of the budget when there is one and run inline otherwise.
// Each call continues ctx's call chain; when Fan returns, ctx's chain is as
// deep as the deepest call's.
func (s *Scheduler) Fan(ctx context.Context, n int, f func(ctx context.Context, i int)) {
	var wg sync.WaitGroup
	children := make([]context.Context, 0, n)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		cctx := ForkChain(ctx)
		children = append(children, cctx)
		select {
		case s.slots <- struct{}{}:
			wg.Add(1)
			go func(i int) {
				defer func() { <-s.slots; wg.Done() }()
				f(cctx, i)
			}(i)
		default:
			f(cctx, i)
		}
	}
	wg.Wait()
	for _, c := range children {
		joinChain(ctx, ChainDepth(c))
	}
}

// All runs the functions like Fan: in parallel within the budget.
func (s *Scheduler) All(ctx context.Context, fs ...func(context.Context)) {
	s.Fan(ctx, len(fs), func(ctx context.Context, i int) { fs[i](ctx) })
}
