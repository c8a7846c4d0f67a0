package cloudtrail

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestDedupExact(t *testing.T) {
	d := NewDedup(0)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := []string{
		"10163ed2-2253-469d-a5ee-cbc6651f8934",
		"00000000-0000-0000-0000-000000000000", // the zero key
		"not-a-uuid",
		"10163ED2-2253-469D-A5EE-CBC6651F8935",
		"10163ed2-2253-469d-a5ee-cbc6651f893g", // not hex: hashed
	}
	for _, id := range ids {
		if d.Seen(id, t0) {
			t.Fatalf("%s seen before it was recorded", id)
		}
	}
	for _, id := range ids {
		if !d.Seen(id, t0) {
			t.Fatalf("%s not recognised as a duplicate", id)
		}
	}
	if !d.Seen("10163ed2-2253-469d-a5ee-cbc6651f8935", t0) {
		t.Fatal("UUIDs differing only in case are the same UUID")
	}
	if d.Seen("", t0) || d.Seen("", t0) {
		t.Fatal("an empty eventID is never a duplicate")
	}
	if d.Len() != len(ids) {
		t.Fatalf("Len %d, want %d", d.Len(), len(ids))
	}
}

func TestDedupMany(t *testing.T) {
	d := NewDedup(0)
	g := newCorpusGen(7)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 200_000
	ids := make([]string, n)
	for i := range ids {
		if i%3 == 0 {
			ids[i] = fmt.Sprintf("custom-%d", i)
		} else {
			ids[i] = g.uuid()
		}
		if d.Seen(ids[i], t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("fresh id %d reported as a duplicate", i)
		}
	}
	for i, id := range ids {
		if !d.Seen(id, t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("id %d not recognised", i)
		}
	}
	if d.Len() != n {
		t.Fatalf("Len %d, want %d", d.Len(), n)
	}
}

func TestDedupConcurrent(t *testing.T) {
	d := NewDedup(0)
	g := newCorpusGen(3)
	ids := make([]string, 20_000)
	for i := range ids {
		ids[i] = g.uuid()
	}
	var fresh atomic.Int64
	var wg sync.WaitGroup
	for range 4 { // four workers see every ID: exactly one wins each
		wg.Go(func() {
			for _, id := range ids {
				if !d.Seen(id, time.Time{}) {
					fresh.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if fresh.Load() != int64(len(ids)) {
		t.Fatalf("%d fresh, want %d", fresh.Load(), len(ids))
	}
}

// TestDedupLimit: past the limit the least recently used hours are
// forgotten, and memory stays bounded.
func TestDedupLimit(t *testing.T) {
	const limit = dedupStripes * 100
	d := NewDedup(limit)
	g := newCorpusGen(5)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	first := g.uuid()
	d.Seen(first, t0)
	for h := range 48 {
		for range 1000 {
			d.Seen(g.uuid(), t0.Add(time.Duration(h+1)*time.Hour))
		}
		if d.Len() > limit {
			t.Fatalf("hour %d: %d IDs remembered, limit %d", h, d.Len(), limit)
		}
	}
	if d.Seen(first, t0) {
		t.Fatal("the oldest hour was not forgotten")
	}
	recent := g.uuid()
	late := t0.Add(49 * time.Hour)
	d.Seen(recent, late)
	if !d.Seen(recent, late) {
		t.Fatal("a recent ID was forgotten")
	}
	// One hour over the limit on its own starts afresh rather than grow.
	for range 3 * limit {
		d.Seen(g.uuid(), late)
	}
	if d.Len() > limit {
		t.Fatalf("%d IDs remembered, limit %d", d.Len(), limit)
	}
}

// TestDedupMemory: an exact set of 1M IDs costs at most 32 bytes per ID
// (10M stay under 320 MB).
func TestDedupMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 1M IDs")
	}
	const n = 1_000_000
	g := newCorpusGen(11)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = g.uuid()
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := NewDedup(0)
	for i, id := range ids {
		d.Seen(id, t0.Add(time.Duration(i)*300*time.Millisecond)) // about 83 hours
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perID := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.1f bytes per ID", perID)
	if perID > 32 {
		t.Fatalf("%.1f bytes per ID", perID)
	}
	runtime.KeepAlive(d)
	runtime.KeepAlive(ids)
}

func BenchmarkDedup(b *testing.B) {
	g := newCorpusGen(13)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = g.uuid()
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d := NewDedup(0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Seen(ids[i&(len(ids)-1)], t0)
		i++
	}
}
