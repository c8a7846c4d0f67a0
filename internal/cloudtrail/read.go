package cloudtrail

import (
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Config tunes Read.
type Config struct {
	// Concurrency is the number of files read at once; default GOMAXPROCS.
	// Reading S3 is bound by latency: use more.
	Concurrency int
	// Since and Until drop records whose eventTime is outside [Since, Until);
	// zero means unbounded.
	Since, Until time.Time
	// Dedup, when set, drops records whose eventID it has seen.
	Dedup *Dedup
	// OnError receives each file that could not be read completely, and each
	// part of the source that could not be listed, as a *FileError. The run
	// goes on. Calls are serialised.
	OnError func(error)
	// OnObject receives the digest and insight files listed, which are not
	// read as events (a verifier wants the digests). Calls are serialised.
	OnObject func(Object)
}

// Stats counts what Read saw.
type Stats struct {
	Files      int64 // log files opened
	BadFiles   int64 // errors reported to OnError
	Skipped    int64 // digest and insight files passed to OnObject
	Records    int64 // records delivered to the callback
	Duplicates int64 // records dropped by Dedup
	OutOfRange int64 // records dropped by Since/Until
	Bytes      int64 // JSON bytes read, after decompression
}

// Read reads every log file of src with a pool of workers and calls fn for
// each record. fn is called from several goroutines at once; the records of
// one file arrive in file order, from one goroutine. Local directories are
// dispatched in lexical order.
//
// A file that cannot be opened, is truncated or is corrupt is reported to
// cfg.OnError after its earlier records were delivered, and the run goes on.
// Read stops early, returning the error, when fn returns one, when ctx ends,
// or when the source cannot be listed at all.
func Read(ctx context.Context, src Source, cfg Config, fn func(*Record) error) (Stats, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = runtime.GOMAXPROCS(0)
	}
	r := reader{cfg: cfg, src: src, fn: fn}
	jobs := make(chan Object, 2*cfg.Concurrency)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(jobs)
		return src.Walk(gctx, func(obj Object, err error) error {
			if err != nil {
				r.report(&FileError{Name: obj.Name, Offset: -1, Err: err})
				return nil
			}
			if obj.Loc.Kind != KindLog {
				r.skipped.Add(1)
				if cfg.OnObject != nil {
					r.mu.Lock()
					defer r.mu.Unlock()
					cfg.OnObject(obj)
				}
				return nil
			}
			select {
			case jobs <- obj:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	for range cfg.Concurrency {
		g.Go(func() error {
			var s Splitter
			for obj := range jobs {
				if err := r.file(gctx, &s, obj); err != nil {
					return err
				}
			}
			return nil
		})
	}
	err := g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return Stats{
		Files: r.files.Load(), BadFiles: r.bad.Load(), Skipped: r.skipped.Load(), Records: r.records.Load(),
		Duplicates: r.dups.Load(), OutOfRange: r.outOfRange.Load(), Bytes: r.bytes.Load(),
	}, err
}

type reader struct {
	cfg Config
	src Source
	fn  func(*Record) error
	mu  sync.Mutex // serialises the OnError and OnObject callbacks

	files, bad, skipped, records, dups, outOfRange, bytes atomic.Int64
}

func (r *reader) report(err error) {
	r.bad.Add(1)
	if r.cfg.OnError != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.cfg.OnError(err)
	}
}

// file reads one object. It returns an error only to stop the run.
func (r *reader) file(ctx context.Context, s *Splitter, obj Object) error {
	body, err := r.src.Open(ctx, obj)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.report(&FileError{Name: obj.Name, Offset: -1, Err: err})
		return nil
	}
	defer body.Close()
	r.files.Add(1)
	s.Reset(body, obj.Name)
	var records, dups, outOfRange int64 // shared counters once per file, not per record
	defer func() {
		r.bytes.Add(s.Offset())
		r.records.Add(records)
		r.dups.Add(dups)
		r.outOfRange.Add(outOfRange)
	}()
	for n := 1; ; n++ {
		if n%256 == 0 && ctx.Err() != nil { // local files do not watch ctx
			return ctx.Err()
		}
		rec, err := s.NextRecord()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.report(err)
			return nil
		}
		if !r.cfg.Since.IsZero() && rec.EventTime.Before(r.cfg.Since) ||
			!r.cfg.Until.IsZero() && !rec.EventTime.Before(r.cfg.Until) {
			outOfRange++
			continue
		}
		if r.cfg.Dedup != nil && r.cfg.Dedup.Seen(rec.EventID, rec.EventTime) {
			dups++
			continue
		}
		if err := r.fn(rec); err != nil {
			return err
		}
		records++
	}
}
