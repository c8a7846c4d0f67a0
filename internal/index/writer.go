package index

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// Writer adds events to an index. It is safe for concurrent use: Add
// converts each record on the caller's goroutine, so ingestion scales with
// the readers feeding it.
//
// Events are buffered by partition. When the buffer holds more than its
// byte budget, the whole buffer becomes a batch that one background
// goroutine writes while Add goes on filling the next: first one refs file
// for the batch, then one events file per partition. Refs go first so that a
// crash never leaves stored events that who-changed cannot find; a ref to an
// event not yet stored finds nothing and is harmless.
//
// Deduplication is exact and spans runs: an event's partition is decided by
// its own account, region and time, so its duplicates fall in the same
// partition, whose stored ids are loaded the first time the run touches it.
type Writer struct {
	root    string
	budget  int // bytes buffered before a batch is written
	idLimit int // ids kept in memory before idle partitions are forgotten

	mu       sync.Mutex
	parts    map[partition]*partState
	buffered int
	cycle    int64 // batches handed to the flusher
	ids      int
	stats    WriterStats
	closed   bool

	batches chan *batch
	exited  chan struct{}
	flushed atomic.Int64 // batches written
	files   atomic.Int64 // the flusher's counts: it never takes mu
	refs    atomic.Int64
	errMu   sync.Mutex
	err     error // the first write error; the Writer is then unusable
}

// WriterStats counts what a Writer did.
type WriterStats struct {
	Added      int64 // events stored (or buffered to be)
	Duplicates int64 // events dropped: their id was stored or added already
	Files      int64 // parquet files written, events and refs
	Refs       int64 // resource references written
}

type partState struct {
	ids  map[idKey]struct{} // nil until loaded
	rows []*eventRow
	last int64 // the cycle of the last row added
}

type batch struct {
	seq   int64
	parts map[partition][]*eventRow
	done  chan error // Flush waits on it
}

// Defaults for a Writer: the buffer stays small next to the 500 MB a run
// may use (a batch being written and one filling), and a run remembers the
// ids of about a million events (some 40 MB) before it forgets the idle
// partitions, which it reloads from disk if they come back.
const (
	defaultBudget  = 32 << 20
	defaultIDLimit = 1 << 20
)

// NewWriter returns a Writer over the index at root. Close it to store what
// it buffers.
func NewWriter(root string) *Writer {
	w := &Writer{
		root: root, budget: defaultBudget, idLimit: defaultIDLimit,
		parts:   map[partition]*partState{},
		batches: make(chan *batch), // unbuffered: one batch written, one filling
		exited:  make(chan struct{}),
	}
	go w.flusher()
	return w
}

// Add stores r unless an event with its id is in the index already, and
// reports whether it was new. Once Add returns, the event is buffered; it is
// durable after the next Flush or Close.
func (w *Writer) Add(r *cloudtrail.Record) (bool, error) {
	row := newEventRow(r)
	p := partitionOf(row, r.AWSRegion)
	key := keyOf(row.EventID)

	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.failed(); err != nil {
		return false, err
	}
	if w.closed {
		return false, errors.New("index: writer closed")
	}
	st := w.parts[p]
	if st == nil {
		st = &partState{}
		w.parts[p] = st
	}
	if st.ids == nil {
		st.ids = map[idKey]struct{}{}
		if err := loadIDs(p.dir(w.root), st.ids); err != nil {
			st.ids = nil
			return false, err
		}
		w.ids += len(st.ids)
	}
	if _, dup := st.ids[key]; dup {
		w.stats.Duplicates++
		return false, nil
	}
	st.ids[key] = struct{}{}
	w.ids++
	st.rows = append(st.rows, row)
	st.last = w.cycle
	w.buffered += row.size
	w.stats.Added++
	if w.buffered >= w.budget {
		w.handOff(nil)
	}
	return true, nil
}

// Flush writes everything added so far and returns the first write error.
func (w *Writer) Flush() error {
	done := make(chan error, 1)
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.failed()
	}
	w.handOff(done)
	w.mu.Unlock()
	return errors.Join(<-done, w.failed())
}

// Close flushes, stops the Writer and compacts the index's refs files.
func (w *Writer) Close() error {
	err := w.Flush()
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.batches)
	}
	w.parts = nil // the merge needs the memory the ids held
	w.mu.Unlock()
	<-w.exited
	if err != nil {
		return err
	}
	return compactRefs(w.root)
}

// Stats returns the counts so far.
func (w *Writer) Stats() WriterStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.stats
	st.Files, st.Refs = w.files.Load(), w.refs.Load()
	return st
}

// handOff passes the buffered rows to the flusher, waiting while it writes
// the previous batch: that wait is what bounds memory. w.mu is held.
func (w *Writer) handOff(done chan error) {
	b := &batch{seq: w.cycle, parts: map[partition][]*eventRow{}, done: done}
	for p, st := range w.parts {
		if len(st.rows) > 0 {
			b.parts[p], st.rows = st.rows, nil
		}
	}
	w.buffered = 0
	w.cycle++
	w.forget()
	w.batches <- b
}

// forget drops the id sets of the partitions idle longest, once their rows
// are all on disk (a reload from disk then sees every id), until the sets
// hold half the limit.
func (w *Writer) forget() {
	if w.ids <= w.idLimit {
		return
	}
	flushed := w.flushed.Load()
	var idle []partition
	for p, st := range w.parts {
		if st.ids != nil && len(st.rows) == 0 && st.last < flushed {
			idle = append(idle, p)
		}
	}
	slices.SortFunc(idle, func(a, b partition) int { return cmp.Compare(w.parts[a].last, w.parts[b].last) })
	for _, p := range idle {
		if w.ids <= w.idLimit/2 {
			break
		}
		w.ids -= len(w.parts[p].ids)
		delete(w.parts, p)
	}
}

func (w *Writer) flusher() {
	defer close(w.exited)
	for b := range w.batches {
		var err error
		if w.failed() == nil {
			err = w.write(b)
		}
		if err != nil {
			w.errMu.Lock()
			w.err = cmp.Or(w.err, err)
			w.errMu.Unlock()
		}
		w.flushed.Store(b.seq + 1)
		if b.done != nil {
			b.done <- err
		}
	}
}

func (w *Writer) failed() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

// write stores a batch: its refs, then its events.
func (w *Writer) write(b *batch) error {
	refs, err := writeRefs(w.root, b.parts)
	if err != nil {
		return err
	}
	if refs > 0 {
		w.files.Add(1)
		w.refs.Add(int64(refs))
	}
	for p, rows := range b.parts {
		if err := writeEvents(p.dir(w.root), rows); err != nil {
			return err
		}
		w.files.Add(1)
	}
	return nil
}
