package detect

import (
	"runtime"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// TestMemoryBounded streams two million events, many of them feeding
// correlations for thousands of groups, through the engine: the heap must
// stay flat, as correlation state is bounded by the windows.
func TestMemoryBounded(t *testing.T) {
	// The state is full once the longest window (30 minutes, plus the
	// lateness) is: 210,000 events in at 100 events a second. Measure from
	// there.
	const warmup, perBatch = 250_000, 1000
	events := 2_000_000
	if testing.Short() {
		events = 600_000
	}
	e, err := New(builtin(t), Options{Emit: func(Detection) {}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	var ms runtime.MemStats
	var steady, peak uint64
	for i := 0; i < events; {
		b := e.NewBatch()
		for range perBatch {
			rec, err := cloudtrail.ParseRecord(synthRecord(i, at))
			if err != nil {
				t.Fatal(err)
			}
			b.Add(rec)
			i++
			at = at.Add(10 * time.Millisecond) // hours of event time in all
		}
		e.Commit(b)
		if i >= warmup && i%100_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if steady == 0 {
				steady = ms.HeapAlloc
			}
			peak = max(peak, ms.HeapAlloc)
			t.Logf("%8d events: heap %5.1f MB", i, float64(ms.HeapAlloc)/1e6)
		}
	}
	e.Flush()
	if peak > 250e6 || peak > steady*3/2+20e6 {
		t.Errorf("heap grew from %.1f MB to %.1f MB", float64(steady)/1e6, float64(peak)/1e6)
	}
}
