package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// IngestOptions tune Ingest.
type IngestOptions struct {
	// Since and Until keep the events of [Since, Until); zero is unbounded.
	// A file with events outside the range is not recorded as ingested, so
	// that a later run without the range reads the rest.
	Since, Until time.Time
	// Concurrency is the number of files read at once; default GOMAXPROCS.
	// Use more for S3, which is bound by latency.
	Concurrency int
}

// IngestStats counts what Ingest did.
type IngestStats struct {
	Files      int64     // log files read
	Unchanged  int64     // log files skipped: ingested by an earlier run
	Skipped    int64     // digest and insight files, not events
	Events     int64     // events read in the time range
	New        int64     // events stored
	Duplicates int64     // events already in the index (or twice in the input)
	OutOfRange int64     // events outside Since/Until
	Bad        []BadFile // files that could not be read completely
}

// BadFile is a source file that could not be read (its events before the
// fault were ingested).
type BadFile struct {
	Name string `json:"name"`
	Err  string `json:"error"`
}

// badFile describes what went wrong with a file, without repeating its name.
func badFile(name string, err error) BadFile {
	var fe *cloudtrail.FileError
	if errors.As(err, &fe) {
		name, err = fe.Name, fe.Err
		if fe.Offset >= 0 {
			err = fmt.Errorf("at byte %d: %w", fe.Offset, err)
		}
	}
	return BadFile{Name: name, Err: err.Error()}
}

// Ingest adds the events of srcs to the index at root. Files ingested by an
// earlier run are skipped; bad files are reported in the stats and the run
// goes on. Ingest returns an error only when it could not go on: the index
// could not be written, a source could not be listed at all, or ctx ended.
// What was read before such an error is stored but not recorded in the
// manifest, so the next run reads it again and deduplication drops it.
//
// Only one Ingest (or Writer) may write an index at a time.
func Ingest(ctx context.Context, root string, srcs []cloudtrail.Source, opts IngestOptions) (IngestStats, error) {
	if err := cleanTemps(root, time.Now()); err != nil {
		return IngestStats{}, err
	}
	seen, err := loadManifest(root)
	if err != nil {
		return IngestStats{}, err
	}
	in := ingestion{opts: opts, seen: seen, w: NewWriter(root)}
	err = in.run(ctx, srcs)
	err = errors.Join(err, in.w.Close())
	ws := in.w.Stats()
	in.stats.New, in.stats.Duplicates = ws.Added, ws.Duplicates
	if err == nil {
		err = appendManifest(root, in.done)
	}
	return in.stats, err
}

type ingestion struct {
	opts IngestOptions
	seen map[string]sourceFile
	w    *Writer

	mu    sync.Mutex // guards stats and done
	stats IngestStats
	done  []sourceFile
}

type job struct {
	src  cloudtrail.Source
	obj  cloudtrail.Object
	file sourceFile
}

// run lists the sources on one goroutine and reads files on a pool, each file
// through cloudtrail.Read so that its stats are known file by file.
func (in *ingestion) run(ctx context.Context, srcs []cloudtrail.Source) error {
	n := in.opts.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan job, 2*n)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(jobs)
		for _, src := range srcs {
			if err := src.Walk(gctx, func(obj cloudtrail.Object, err error) error {
				return in.listed(gctx, jobs, src, obj, err)
			}); err != nil {
				return err
			}
		}
		return nil
	})
	for range n {
		g.Go(func() error {
			for j := range jobs {
				if err := in.read(gctx, j); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func (in *ingestion) listed(ctx context.Context, jobs chan<- job, src cloudtrail.Source, obj cloudtrail.Object, err error) error {
	file, ok := in.wanted(obj, err)
	if !ok {
		return nil
	}
	select {
	case jobs <- job{src: src, obj: obj, file: file}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wanted counts a listed object and reports whether it is to be read: a log
// file not ingested before.
func (in *ingestion) wanted(obj cloudtrail.Object, err error) (sourceFile, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	switch {
	case err != nil:
		in.stats.Bad = append(in.stats.Bad, badFile(obj.Name, err))
		return sourceFile{}, false
	case obj.Loc.Kind != cloudtrail.KindLog:
		in.stats.Skipped++
		return sourceFile{}, false
	}
	file := identify(obj)
	if prev, ok := in.seen[file.Name]; ok && prev.same(file) {
		in.stats.Unchanged++
		return file, false
	}
	return file, true
}

// identify names a source file for the manifest: local paths made absolute
// and carrying their modification time.
func identify(obj cloudtrail.Object) sourceFile {
	f := sourceFile{Name: obj.Name, Size: obj.Size}
	if strings.HasPrefix(obj.Name, "s3://") {
		return f
	}
	if abs, err := filepath.Abs(obj.Name); err == nil {
		f.Name = abs
	}
	if st, err := os.Stat(obj.Name); err == nil {
		f.Size, f.ModTime = st.Size(), st.ModTime().UnixNano()
	}
	return f
}

func (in *ingestion) read(ctx context.Context, j job) error {
	var bad []BadFile
	st, err := cloudtrail.Read(ctx, oneObject(j), cloudtrail.Config{
		Concurrency: 1, Since: in.opts.Since, Until: in.opts.Until,
		OnError: func(err error) { bad = append(bad, badFile(j.obj.Name, err)) },
	}, func(r *cloudtrail.Record) error {
		_, err := in.w.Add(r)
		return err
	})
	in.mu.Lock()
	defer in.mu.Unlock()
	in.stats.Files += st.Files
	in.stats.Events += st.Records
	in.stats.OutOfRange += st.OutOfRange
	in.stats.Bad = append(in.stats.Bad, bad...)
	if err == nil && len(bad) == 0 && st.OutOfRange == 0 {
		j.file.Records = st.Records
		in.done = append(in.done, j.file)
	}
	return err
}

// oneObject is a Source of one object of another Source.
type oneObject job

func (o oneObject) Walk(_ context.Context, fn func(cloudtrail.Object, error) error) error {
	return fn(o.obj, nil)
}

func (o oneObject) Open(ctx context.Context, obj cloudtrail.Object) (io.ReadCloser, error) {
	return o.src.Open(ctx, obj)
}
