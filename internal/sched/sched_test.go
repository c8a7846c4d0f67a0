package sched

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestBudgetIsNeverExceeded nests Submit and Fan three levels deep, as
// collection does (account → service → resource), and checks both that the
// number of concurrently running functions never exceeds the limit and that
// nesting does not deadlock.
func TestBudgetIsNeverExceeded(t *testing.T) {
	const limit = 4
	var running, peak, done atomic.Int64
	enter := func() {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
	}
	leave := func() { running.Add(-1); done.Add(1) }

	s := New(context.Background(), limit)
	for a := 0; a < 10; a++ {
		s.Submit(nil, func(ctx context.Context) {
			enter()
			leave()
			for svc := 0; svc < 5; svc++ {
				s.Submit(ctx, func(ctx context.Context) {
					enter()
					leave()
					s.Fan(ctx, 8, func(ctx context.Context, i int) { enter(); leave() })
				})
			}
		})
	}
	finished := make(chan struct{})
	go func() { s.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("deadlock: nested Submit/Fan did not finish")
	}
	// Fan's inline calls run inside the caller's slot, so the peak of
	// enter/leave sections is at most limit.
	if p := peak.Load(); p > limit {
		t.Fatalf("peak concurrency %d > limit %d", p, limit)
	}
	if got, want := done.Load(), int64(10+10*5+10*5*8); got != want {
		t.Fatalf("ran %d functions, want %d", got, want)
	}
}

func TestFanUsesFreeSlots(t *testing.T) {
	s := New(context.Background(), 8)
	defer s.Wait()
	start := time.Now()
	s.Fan(context.Background(), 8, func(context.Context, int) { time.Sleep(50 * time.Millisecond) })
	// With 8 free slots the 8 calls overlap: far less than 8 × 50 ms.
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("Fan took %s: calls did not run in parallel", d)
	}
}

func TestCanceledContextStopsFan(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := New(ctx, 1)
	defer s.Wait()
	var n atomic.Int64
	s.Fan(ctx, 100, func(ctx context.Context, i int) {
		if n.Add(1) == 3 {
			cancel()
		}
	})
	if n.Load() > 4 {
		t.Fatalf("Fan kept going after cancellation: %d calls", n.Load())
	}
}

func TestChainDepth(t *testing.T) {
	s := New(context.Background(), 4)
	call := func(ctx context.Context) { BeginCall(ctx)() }
	var deepest atomic.Int64
	record := func(ctx context.Context) {
		if d := int64(ChainDepth(ctx)); d > deepest.Load() {
			deepest.Store(d)
		}
	}
	// root: 2 calls in sequence, then a fan of 3 where one child makes 2
	// calls, then a submitted task making 1 call: depth 2 + 2 + 1 = 5.
	s.Submit(nil, func(ctx context.Context) {
		call(ctx)
		call(ctx)
		s.Fan(ctx, 3, func(ctx context.Context, i int) {
			call(ctx)
			if i == 1 {
				call(ctx)
			}
		})
		if d := ChainDepth(ctx); d != 4 {
			t.Errorf("after fan: depth %d, want 4", d)
		}
		s.Submit(ctx, func(ctx context.Context) { call(ctx); record(ctx) })
	})
	s.Wait()
	if deepest.Load() != 5 {
		t.Fatalf("deepest chain = %d, want 5", deepest.Load())
	}
}
