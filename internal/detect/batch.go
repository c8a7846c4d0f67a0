package detect

import (
	"slices"
	"time"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/sigma"
)

// Batch is a unit of input, typically the records of one log file. Fill it
// from one goroutine with Add, which matches each record at once, then hand
// it to Commit. Batches of different goroutines are matched in parallel.
type Batch struct {
	e       *Engine
	seq     int // position in Detect's commit order
	ev      event
	matched []*sigma.Rule
	hits    []hit
	rules   []*sigma.Rule // the matched rules of every hit, back to back
	parts   []partTime
}

// hit is a record that matched rules the engine must act on.
type hit struct {
	ev       *event
	from, to int32 // its rules in Batch.rules
}

// partTime is the newest event time of one partition in a batch.
type partTime struct {
	key    partKey
	newest time.Time
}

// NewBatch returns an empty batch.
func (e *Engine) NewBatch() *Batch { return e.batches.Get().(*Batch) }

// Add matches rec against the detection rules. Only records that matched
// are kept (by pointer) until Commit.
func (b *Batch) Add(rec *cloudtrail.Record) {
	b.notePartition(rec)
	b.ev.reset(rec)
	b.matched = b.e.set.Match(&b.ev, b.matched[:0])
	from := len(b.rules)
	correlated := false
	for _, r := range b.matched {
		if in := b.e.info[r]; in.report || in.correlated {
			b.rules = append(b.rules, r)
			correlated = correlated || in.correlated
		}
	}
	if len(b.rules) == from {
		return
	}
	ev := &event{}
	*ev = b.ev
	ev.top = slices.Clone(b.ev.top)
	if correlated {
		// Correlations read group-by fields (recipientAccountId...) in
		// Commit's single goroutine: scan the record here, in parallel.
		ev.index()
	}
	b.hits = append(b.hits, hit{ev: ev, from: int32(from), to: int32(len(b.rules))})
}

func (b *Batch) notePartition(rec *cloudtrail.Record) {
	key := partKey(rec.AccountID)
	for i := range b.parts {
		if p := &b.parts[i]; p.key == key {
			if rec.EventTime.After(p.newest) {
				p.newest = rec.EventTime
			}
			return
		}
	}
	b.parts = append(b.parts, partTime{key: key, newest: rec.EventTime})
}

func (b *Batch) reset() {
	clear(b.hits) // release the records
	b.hits, b.rules, b.parts = b.hits[:0], b.rules[:0], b.parts[:0]
	b.ev.reset(nil)
}
