package detect

import (
	"context"
	"io"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// Config tunes Detect.
type Config struct {
	// Config is how files are read: Concurrency is the number of files
	// matched at once (default GOMAXPROCS; more for S3), and Since, Until,
	// Dedup, OnError and OnObject work as in cloudtrail.Read. OnError calls
	// are serialised.
	cloudtrail.Config
	// Progress, when set, receives the running totals after each file.
	// Calls are serialised.
	Progress func(cloudtrail.Stats)
}

// pendingPerWorker bounds how many files may be read ahead of the oldest
// one not yet committed, per worker: memory stays bounded when one file is
// slow.
const pendingPerWorker = 4

// Detect reads every log file of srcs with a pool of workers, each matching
// one file at a time into a Batch; the batches are committed in the order
// the files were listed, from one goroutine, and the engine is flushed at
// the end. Bad files are reported to cfg.OnError and skipped. Detect returns
// an error only when a source cannot be listed at all or ctx ends; the
// windows still open are then not flushed.
func (e *Engine) Detect(ctx context.Context, srcs []cloudtrail.Source, cfg Config) (cloudtrail.Stats, error) {
	workers := cfg.Concurrency
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	r := &runner{cfg: cfg}
	fileCfg := cfg.Config
	fileCfg.Concurrency, fileCfg.OnObject = 1, nil
	if cfg.OnError != nil {
		fileCfg.OnError = func(err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			cfg.OnError(err)
		}
	}

	type job struct {
		seq int
		src cloudtrail.Source
		obj cloudtrail.Object
	}
	jobs := make(chan job)
	done := make(chan *Batch, workers)
	tokens := make(chan struct{}, pendingPerWorker*workers)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(jobs)
		seq := 0
		for _, src := range srcs {
			err := src.Walk(gctx, func(obj cloudtrail.Object, err error) error {
				switch {
				case err != nil:
					r.badListing(&cloudtrail.FileError{Name: obj.Name, Offset: -1, Err: err})
					return nil
				case obj.Loc.Kind != cloudtrail.KindLog:
					r.skipped(obj)
					return nil
				}
				select {
				case tokens <- struct{}{}:
				case <-gctx.Done():
					return gctx.Err()
				}
				select {
				case jobs <- job{seq: seq, src: src, obj: obj}:
					seq++
					return nil
				case <-gctx.Done():
					return gctx.Err()
				}
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	var matching sync.WaitGroup
	for range workers {
		matching.Add(1)
		g.Go(func() error {
			defer matching.Done()
			for j := range jobs {
				b := e.NewBatch()
				b.seq = j.seq
				st, err := cloudtrail.Read(gctx, oneObject{j.src, j.obj}, fileCfg, func(rec *cloudtrail.Record) error {
					b.Add(rec)
					return nil
				})
				r.add(st)
				if err != nil {
					return err
				}
				done <- b // never blocks for long: the loop below drains it
			}
			return nil
		})
	}
	go func() {
		matching.Wait()
		close(done)
	}()

	// Commit in listing order. Batches finished early wait here; the
	// tokens keep their number bounded.
	pending := map[int]*Batch{}
	next := 0
	for b := range done {
		pending[b.seq] = b
		for b := pending[next]; b != nil; b = pending[next] {
			delete(pending, next)
			e.Commit(b)
			next++
			<-tokens
		}
	}
	if err := g.Wait(); err != nil {
		return r.totals(), err
	}
	e.Flush()
	return r.totals(), nil
}

// runner accumulates the statistics of a Detect run.
type runner struct {
	cfg   Config
	mu    sync.Mutex // guards stats and serialises the callbacks
	stats cloudtrail.Stats
}

func (r *runner) add(st cloudtrail.Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.Files += st.Files
	r.stats.BadFiles += st.BadFiles
	r.stats.Records += st.Records
	r.stats.Duplicates += st.Duplicates
	r.stats.OutOfRange += st.OutOfRange
	r.stats.Bytes += st.Bytes
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.stats)
	}
}

func (r *runner) badListing(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.BadFiles++
	if r.cfg.OnError != nil {
		r.cfg.OnError(err)
	}
}

func (r *runner) skipped(obj cloudtrail.Object) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.Skipped++
	if r.cfg.OnObject != nil {
		r.cfg.OnObject(obj)
	}
}

func (r *runner) totals() cloudtrail.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// oneObject is a Source of one object of another Source: reading files one
// Read call at a time tells the engine where each file's records end.
type oneObject struct {
	src cloudtrail.Source
	obj cloudtrail.Object
}

func (o oneObject) Walk(_ context.Context, fn func(cloudtrail.Object, error) error) error {
	return fn(o.obj, nil)
}

func (o oneObject) Open(ctx context.Context, obj cloudtrail.Object) (io.ReadCloser, error) {
	return o.src.Open(ctx, obj)
}
