package index

import (
	"context"
	"iter"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// The benchmarks run over a generated corpus kept between runs:
//
//	BASELINE_BENCH_EVENTS=10000000 BASELINE_BENCH_DIR=/var/tmp/baseline-bench \
//	  go test ./internal/index -run XXX -bench . -benchtime 1x -timeout 2h
//
// BASELINE_BENCH_EVENTS sizes the corpus (default 200,000);
// BASELINE_BENCH_DIR keeps the corpus and the index built from it (default
// under the system temporary directory), so that a second run measures the
// queries without building anything.

func benchEvents(b *testing.B) int {
	if s := os.Getenv("BASELINE_BENCH_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("BASELINE_BENCH_EVENTS=%q", s)
		}
		return n
	}
	return 200_000
}

func benchDir(b *testing.B) string {
	dir := os.Getenv("BASELINE_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "baseline-index-bench")
	}
	return filepath.Join(dir, strconv.Itoa(benchEvents(b)))
}

// benchCorpus returns the corpus folder, generating it the first time.
func benchCorpus(b *testing.B) string {
	dir := filepath.Join(benchDir(b), "corpus")
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	start := time.Now()
	n, err := writeCorpus(dir, benchEvents(b), 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d events in %s", n, time.Since(start).Round(time.Millisecond))
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchIndex returns the index of the corpus that BenchmarkIngest built,
// building it if need be.
func benchIndex(b *testing.B) string {
	root := filepath.Join(benchDir(b), "index")
	if _, err := os.Stat(filepath.Join(root, ".complete")); err == nil {
		return root
	}
	st, elapsed, _ := ingestInto(b, benchCorpus(b), root)
	b.Logf("indexed %d events in %s", st.New, elapsed.Round(time.Millisecond))
	return root
}

// ingestInto ingests the corpus into a fresh index at root, and marks it
// complete for the query benchmarks.
func ingestInto(b *testing.B, corpus, root string) (IngestStats, time.Duration, time.Duration) {
	if err := os.RemoveAll(root); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	src, err := cloudtrail.Open(ctx, corpus, cloudtrail.Options{})
	if err != nil {
		b.Fatal(err)
	}
	start, cpu := time.Now(), cpuTime()
	st, err := Ingest(ctx, root, []cloudtrail.Source{src}, IngestOptions{})
	if err != nil {
		b.Fatal(err)
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu
	if len(st.Bad) > 0 || st.New == 0 {
		b.Fatalf("ingest: %+v", st)
	}
	if err := os.WriteFile(filepath.Join(root, ".complete"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return st, elapsed, cpu
}

// BenchmarkIngest measures ingestion of the corpus into a fresh index: wall
// time, CPU time (on a busy machine, 2 s of CPU per second of wall time is
// what two dedicated cores give), and the peak of the memory the Go runtime
// holds meanwhile.
func BenchmarkIngest(b *testing.B) {
	corpus := benchCorpus(b)
	root := filepath.Join(benchDir(b), "index")
	var events int64
	var cpu time.Duration
	peak := watchMemory(b)
	for b.Loop() {
		st, _, c := ingestInto(b, corpus, root)
		events += st.New
		cpu += c
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(events), "cpu-µs/event")
		b.ReportMetric(2*float64(events)/cpu.Seconds(), "events/s-on-2-cores")
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-MB")
}

// watchMemory samples the memory mapped by the Go runtime until b ends.
func watchMemory(b *testing.B) *atomic.Int64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	b.Cleanup(func() { close(stop) })
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		for {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return &peak
}

// BenchmarkWhoChanged measures what `baseline trail query who-changed`
// does: open DuckDB over the index, answer, close.
func BenchmarkWhoChanged(b *testing.B) {
	root := benchIndex(b)
	ctx := context.Background()
	for _, resource := range []string{
		corpusResource("sg", 0, 7),
		corpusResource("instance", 1, 1500),
		"arn:aws:iam::222222222222:role/" + corpusResource("role", 2, 3),
		corpusResource("bucket", 3, 0),
	} {
		b.Run(resource, func(b *testing.B) {
			benchAnswers(b, root, func(l *Local) iter.Seq2[Event, error] { return l.WhoChanged(ctx, resource, time.Time{}) })
		})
	}
}

// BenchmarkActivity measures an activity answer for a user, over the whole
// index (no --since).
func BenchmarkActivity(b *testing.B) {
	root := benchIndex(b)
	ctx := context.Background()
	principal := corpusResource("user", 0, 20)
	benchAnswers(b, root, func(l *Local) iter.Seq2[Event, error] { return l.Activity(ctx, principal, time.Time{}) })
}

// benchAnswers times one answer per iteration, each from a freshly opened
// index as the CLI does, and reports the events found and ms per answer.
func benchAnswers(b *testing.B, root string, query func(*Local) iter.Seq2[Event, error]) {
	var hits int
	for b.Loop() {
		hits = 0
		l, err := OpenLocal(context.Background(), root)
		if err != nil {
			b.Fatal(err)
		}
		for _, err := range query(l) {
			if err != nil {
				b.Fatal(err)
			}
			hits++
		}
		l.Close()
	}
	if hits == 0 {
		b.Fatal("no event found")
	}
	b.ReportMetric(float64(hits), "events")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/answer")
}
