package main

import (
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"

	"github.com/secure-baseline/baseline/internal/corpus"
)

// report is the outcome of a run: each contender, and the ratios the
// targets are stated in.
type report struct {
	Corpus  corpus.Manifest `json:"corpus"`
	Results []result        `json:"results"`
	Checks  []check         `json:"checks"`
}

// check is one target.
type check struct {
	What   string  `json:"what"`
	Value  float64 `json:"value"`
	Target string  `json:"target"`
	Pass   bool    `json:"pass"`
}

func (r *report) get(name string) *result {
	for i := range r.Results {
		if x := &r.Results[i]; x.Name == name && x.Skipped == "" {
			return x
		}
	}
	return nil
}

// checks computes the ratios against the contenders that ran, on wall
// time as the targets are stated, and on CPU time, which a busy machine
// disturbs much less: events per CPU second times the cores is what an
// idle machine would do, the pipeline being parallel.
func (r *report) checks() []check {
	var out []check
	cores := float64(runtime.NumCPU())
	ratios := func(name string, det, other *result, target float64) {
		x, y := det.EventsPerSec/other.EventsPerSec, other.CPUSeconds/det.CPUSeconds
		want := fmt.Sprintf("≥ %g", target)
		out = append(out, check{name + " (wall)", x, want, x >= target}, check{name + " (CPU)", y, want, y >= target})
	}
	if det := r.get("detect (binary)"); det != nil {
		capacity := float64(det.Events) / det.CPUSeconds * cores
		out = append(out, check{"detect events/s (binary, wall)", det.EventsPerSec, "≥ 150000", det.EventsPerSec >= 150_000},
			check{"detect events/s (CPU-bound, all cores)", capacity, "≥ 150000", capacity >= 150_000},
			check{"detect peak RSS MB (binary)", det.PeakRSSMB, "< 500", det.PeakRSSMB < 500})
		if jq := r.get("jq"); jq != nil {
			ratios("detect ÷ jq", det, jq, 4)
		}
		if dd := r.get("duckdb read_json"); dd != nil {
			ratios("detect ÷ DuckDB read_json", det, dd, 3)
		}
		if dd := r.get("duckdb read_json, columns declared"); dd != nil {
			x, y := det.EventsPerSec/dd.EventsPerSec, dd.CPUSeconds/det.CPUSeconds
			out = append(out, check{"detect ÷ DuckDB, columns (wall)", x, "info", true}, check{"detect ÷ DuckDB, columns (CPU)", y, "info", true})
		}
	}
	if inproc := r.get("detect (in process)"); inproc != nil {
		out = append(out, check{"detect peak RSS MB (in process)", inproc.PeakRSSMB, "< 500", inproc.PeakRSSMB < 500})
	}
	if in := r.get("ingest"); in != nil {
		capacity := float64(in.Events) / in.CPUSeconds * cores
		out = append(out, check{"ingest events/s (wall)", in.EventsPerSec, "≥ 100000", in.EventsPerSec >= 100_000},
			check{"ingest events/s (CPU-bound, all cores)", capacity, "≥ 100000", capacity >= 100_000},
			check{"ingest peak RSS MB", in.PeakRSSMB, "< 500", in.PeakRSSMB < 500})
	}
	if v := r.get("verify"); v != nil {
		// The target is on the gzip files sha256sum hashes; the digests hash
		// their JSON, which zcat | sha256sum inflates and hashes as verify
		// does. Both contenders read the same files, so the ratios of MB/s
		// are the ratios of times.
		out = append(out, check{"verify MB/s (JSON)", mb(r.Corpus.RawBytes) / v.Seconds, "info", true})
		if sha := r.get("sha256sum"); sha != nil {
			x, y := v.MBPerSec/sha.MBPerSec, sha.CPUSeconds/v.CPUSeconds
			out = append(out, check{"verify ÷ sha256sum, gzip (wall)", x, "≥ 0.7", x >= 0.7}, check{"verify ÷ sha256sum, gzip (CPU)", y, "info", true})
		}
		if zs := r.get("zcat | sha256sum"); zs != nil {
			x, y := v.MBPerSec/zs.MBPerSec, zs.CPUSeconds/v.CPUSeconds
			out = append(out, check{"verify ÷ zcat | sha256sum, JSON (wall)", x, "info", true}, check{"verify ÷ zcat | sha256sum, JSON (CPU)", y, "info", true})
		}
	}
	return out
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "corpus: %d events, %d files, %d digests, %.0f MB gzip, %.0f MB JSON\n\n", r.Corpus.Events, r.Corpus.Files, r.Corpus.Digests, mb(r.Corpus.Bytes), mb(r.Corpus.RawBytes))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "contender\tseconds\tCPU seconds\tevents/s\tMB/s (gzip)\tpeak RSS MB\thits\t")
	for _, x := range r.Results {
		if x.Skipped != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t  skipped: %s\n", x.Name, x.Skipped)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.0f\t%.1f\t%.0f\t%d\t\n", x.Name, x.Seconds, x.CPUSeconds, x.EventsPerSec, x.MBPerSec, x.PeakRSSMB, x.Hits)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, c := range r.Checks {
		verdict := "FAIL"
		switch {
		case c.Target == "info":
			verdict = ""
		case c.Pass:
			verdict = "ok"
		}
		fmt.Fprintf(w, "%-40s %12.2f  target %-9s %s\n", c.What, c.Value, c.Target, verdict)
	}
}
