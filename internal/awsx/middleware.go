package awsx

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	json "github.com/goccy/go-json"
	"golang.org/x/time/rate"

	"github.com/secure-baseline/baseline/internal/sched"
)

// instrument adds baseline's middleware to every client built from cfg:
// call accounting (once per logical call), then per attempt a rate limit wait
// and the recognition of emulator "not implemented" pages.
func (s *Sessions) instrument(cfg aws.Config, accountID string) aws.Config {
	c := cfg.Copy()
	c.APIOptions = append(c.APIOptions, func(st *middleware.Stack) error {
		if err := st.Initialize.Add(&countCalls{stats: s.Stats, account: accountID}, middleware.After); err != nil {
			return err
		}
		return st.Deserialize.Add(&perAttempt{s: s, account: accountID}, middleware.After)
	})
	return c
}

// Stats counts API calls, attempts and calls repeated with the same input
// (which would mean the same data was read twice).
type Stats struct {
	calls    atomic.Int64
	attempts atomic.Int64
	mu       sync.Mutex
	perOp    map[string]int64
	seen     map[string]int
	dups     map[string]int64
	timeOp   map[string]time.Duration
	track    atomic.Bool
	depth    atomic.Int64
}

// MaxChainDepth is the longest chain of calls that had to run one after the
// other (see sched.ChainDepth).
func (st *Stats) MaxChainDepth() int { return int(st.depth.Load()) }

func (st *Stats) observeDepth(d int) {
	for {
		cur := st.depth.Load()
		if int64(d) <= cur || st.depth.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

// NewStats returns empty counters.
func NewStats() *Stats {
	return &Stats{perOp: map[string]int64{}, seen: map[string]int{}, dups: map[string]int64{}, timeOp: map[string]time.Duration{}}
}

// TrackDuplicates turns on the (costlier) detection of repeated identical calls.
func (st *Stats) TrackDuplicates(on bool) { st.track.Store(on) }

// Calls is the number of logical API calls (retries not counted).
func (st *Stats) Calls() int64 { return st.calls.Load() }

// Attempts is the number of HTTP requests sent (retries counted).
func (st *Stats) Attempts() int64 { return st.attempts.Load() }

// PerOperation returns calls per "service:Operation".
func (st *Stats) PerOperation() map[string]int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[string]int64, len(st.perOp))
	for k, v := range st.perOp {
		out[k] = v
	}
	return out
}

// Duplicates returns "account region service:Operation" keys that were
// called more than once with identical input, with the number of repeats.
func (st *Stats) Duplicates() map[string]int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[string]int64, len(st.dups))
	for k, v := range st.dups {
		out[k] = v
	}
	return out
}

// TimePerOperation returns the total time spent in calls of each operation,
// retries and rate-limit waits included.
func (st *Stats) TimePerOperation() map[string]time.Duration {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[string]time.Duration, len(st.timeOp))
	for k, v := range st.timeOp {
		out[k] = v
	}
	return out
}

// TopOperations lists operations by call count, highest first.
func (st *Stats) TopOperations(n int) []string {
	per := st.PerOperation()
	keys := make([]string, 0, len(per))
	for k := range per {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if per[keys[i]] != per[keys[j]] {
			return per[keys[i]] > per[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > n {
		keys = keys[:n]
	}
	return keys
}

type countCalls struct {
	stats   *Stats
	account string
}

func (*countCalls) ID() string { return "baseline.CountCalls" }

func (m *countCalls) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	op := awsmiddleware.GetServiceID(ctx) + ":" + awsmiddleware.GetOperationName(ctx)
	m.stats.calls.Add(1)
	var fp string
	if m.stats.track.Load() {
		// Pagination tokens differ between pages, so only true repeats match.
		b, _ := json.Marshal(in.Parameters)
		fp = m.account + " " + awsmiddleware.GetRegion(ctx) + " " + op + " " + string(b)
	}
	m.stats.mu.Lock()
	m.stats.perOp[op]++
	if fp != "" {
		m.stats.seen[fp]++
		if m.stats.seen[fp] > 1 {
			m.stats.dups[m.account+" "+awsmiddleware.GetRegion(ctx)+" "+op]++
		}
	}
	m.stats.mu.Unlock()
	end := sched.BeginCall(ctx)
	start := time.Now()
	out, md, err := next.HandleInitialize(ctx, in)
	elapsed := time.Since(start)
	m.stats.observeDepth(end())
	m.stats.mu.Lock()
	m.stats.timeOp[op] += elapsed
	m.stats.mu.Unlock()
	return out, md, err
}

type perAttempt struct {
	s       *Sessions
	account string
}

func (*perAttempt) ID() string { return "baseline.PerAttempt" }

func (m *perAttempt) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	key := m.account + "/" + awsmiddleware.GetRegion(ctx) + "/" + awsmiddleware.GetServiceID(ctx)
	if err := m.s.limiters.get(key).Wait(ctx); err != nil {
		return middleware.DeserializeOutput{}, middleware.Metadata{}, err
	}
	m.s.Stats.attempts.Add(1)
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && isNotImplementedPage(resp.Response) {
		return out, md, &unsupportedError{status: resp.StatusCode}
	}
	return out, md, err
}

// isNotImplementedPage recognises an emulator's answer to an operation it does
// not implement: an HTML error page where AWS always answers XML or JSON.
func isNotImplementedPage(r *http.Response) bool {
	if r == nil || r.StatusCode < 400 {
		return false
	}
	if r.StatusCode == http.StatusNotImplemented {
		return true
	}
	if r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusInternalServerError {
		return false
	}
	ct := r.Header.Get("Content-Type")
	if strings.Contains(ct, "text/html") {
		return true
	}
	if r.Body == nil {
		return false
	}
	// Peek without consuming: the SDK's deserializer still reads the body.
	head := make([]byte, 256)
	n, _ := io.ReadFull(r.Body, head)
	head = head[:n]
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(head), r.Body))
	t := bytes.ToLower(bytes.TrimSpace(head))
	return bytes.HasPrefix(t, []byte("<!doctype html")) || bytes.HasPrefix(t, []byte("<html")) ||
		(r.StatusCode == http.StatusNotFound && len(t) == 0)
}

// limiters paces requests per account, region and service: AWS throttles
// per account and region, and one busy service must not slow the others.
type limiters struct {
	rps float64
	m   sync.Map
}

func newLimiters(rps float64) *limiters { return &limiters{rps: rps} }

func (l *limiters) get(key string) *rate.Limiter {
	if v, ok := l.m.Load(key); ok {
		return v.(*rate.Limiter)
	}
	rps := l.rps
	// IAM and Organizations are global control planes with low limits.
	if strings.HasSuffix(key, "/IAM") || strings.HasSuffix(key, "/Organizations") {
		rps = rps / 2
	}
	v, _ := l.m.LoadOrStore(key, rate.NewLimiter(rate.Limit(rps), int(rps)))
	return v.(*rate.Limiter)
}
