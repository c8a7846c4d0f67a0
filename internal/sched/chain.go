package sched

import (
	"context"
	"sync"
)

// The chain depth of a call is the number of AWS calls that had to finish,
// one after the other, before it could start. The longest chain times the
// per-call latency is the floor under any collection's wall time, whatever
// the concurrency; the benchmarks report it next to the measured time.
//
// Depth travels in the context: calls made one after the other in a task
// share a cell; Fan and Submit give each child a copy of the parent's depth.

type chainKey struct{}

type chainCell struct {
	mu    sync.Mutex
	depth int
}

func cellOf(ctx context.Context) *chainCell {
	c, _ := ctx.Value(chainKey{}).(*chainCell)
	return c
}

// ForkChain returns a context whose chain starts at ctx's current depth.
func ForkChain(ctx context.Context) context.Context {
	return context.WithValue(ctx, chainKey{}, &chainCell{depth: ChainDepth(ctx)})
}

// ChainDepth is the depth reached so far in ctx's chain (0 without one).
func ChainDepth(ctx context.Context) int {
	c := cellOf(ctx)
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.depth
}

// joinChain raises ctx's depth to at least depth.
func joinChain(ctx context.Context, depth int) {
	c := cellOf(ctx)
	if c == nil {
		return
	}
	c.mu.Lock()
	if depth > c.depth {
		c.depth = depth
	}
	c.mu.Unlock()
}

// BeginCall marks the start of a call in ctx's chain and returns the function
// to call when it ends, which returns the call's depth (1 for a first call).
func BeginCall(ctx context.Context) func() int {
	d := ChainDepth(ctx) + 1
	return func() int {
		joinChain(ctx, d)
		return d
	}
}

// WithChainDepth returns a context whose chain starts at depth: a task that
// waited for several others continues the deepest of their chains.
func WithChainDepth(ctx context.Context, depth int) context.Context {
	return context.WithValue(ctx, chainKey{}, &chainCell{depth: depth})
}
