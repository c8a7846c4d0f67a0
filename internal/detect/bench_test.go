package detect

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/sigma"
)

func synthRecords(b *testing.B, n int) []*cloudtrail.Record {
	b.Helper()
	at := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	recs := make([]*cloudtrail.Record, n)
	for i := range recs {
		rec, err := cloudtrail.ParseRecord(synthRecord(i, at.Add(time.Duration(i)*10*time.Millisecond)))
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = rec
	}
	return recs
}

func perEvent(b *testing.B, events int) {
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkMatch compares matching the built-in pack through the lazy event
// with matching after decoding each event whole.
func BenchmarkMatch(b *testing.B) {
	recs := synthRecords(b, 10_000)
	set, err := sigma.NewRuleSet(builtin(b))
	if err != nil {
		b.Fatal(err)
	}
	var matched []*sigma.Rule
	b.Run("lazy", func(b *testing.B) {
		b.ReportAllocs()
		var ev event
		for b.Loop() {
			for _, r := range recs {
				ev.reset(r)
				matched = set.Match(&ev, matched[:0])
			}
		}
		perEvent(b, len(recs))
	})
	b.Run("decoded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range recs {
				var fields map[string]any
				if err := json.Unmarshal(r.Raw, &fields); err != nil {
					b.Fatal(err)
				}
				matched = set.Match(&sigma.MapEvent{Fields: fields, Raw: r.Raw}, matched[:0])
			}
		}
		perEvent(b, len(recs))
	})
}

// BenchmarkDetect runs the whole pipeline (read, gunzip, split, parse,
// dedup, match, correlate) over gzip files in the CloudTrail layout.
func BenchmarkDetect(b *testing.B) {
	const files, perFile = 20, 1000
	dir := b.TempDir()
	at := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	for f := range files {
		recs := make([]ev, perFile)
		for i := range recs {
			n := f*perFile + i
			if err := json.Unmarshal(synthRecord(n, at.Add(time.Duration(n)*10*time.Millisecond)), &recs[i]); err != nil {
				b.Fatal(err)
			}
		}
		writeTrail(b, filepath.Join(dir, "AWSLogs", "111111111111", "CloudTrail", "eu-west-1", "2025", "03", "14", fmt.Sprintf("f%03d.json.gz", f)), recs...)
	}
	rs := builtin(b)
	b.ReportAllocs()
	for b.Loop() {
		e, err := New(rs, Options{Emit: func(Detection) {}})
		if err != nil {
			b.Fatal(err)
		}
		src, _ := cloudtrail.Open(context.Background(), dir, cloudtrail.Options{})
		st, err := e.Detect(context.Background(), []cloudtrail.Source{src}, Config{Config: cloudtrail.Config{Dedup: cloudtrail.NewDedup(0)}})
		if err != nil || st.Records != files*perFile {
			b.Fatalf("%v, %+v", err, st)
		}
		b.SetBytes(st.Bytes)
	}
	perEvent(b, files*perFile)
}
