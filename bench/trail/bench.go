package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/secure-baseline/baseline/internal/corpus"
)

// bench runs the contenders over one corpus.
type bench struct {
	dir, logs string
	m         corpus.Manifest
	tmp       string
	bin       string // the built baseline binary
}

func newBench(dir string, m corpus.Manifest) (*bench, error) {
	tmp, err := os.MkdirTemp("", "baseline-bench-trail-")
	if err != nil {
		return nil, err
	}
	b := &bench{dir: dir, logs: filepath.Join(dir, "AWSLogs"), m: m, tmp: tmp, bin: filepath.Join(tmp, "baseline")}
	build := exec.Command("go", "build", "-o", b.bin, "github.com/secure-baseline/baseline/cmd/baseline")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.close()
		return nil, fmt.Errorf("build baseline: %w", err)
	}
	return b, nil
}

func (b *bench) close() { os.RemoveAll(b.tmp) }

// result is one contender's measurement.
type result struct {
	Name         string  `json:"name"`
	Events       int64   `json:"events"`
	Hits         int64   `json:"hits"`
	Seconds      float64 `json:"seconds"`
	EventsPerSec float64 `json:"events_per_second"`
	MBPerSec     float64 `json:"mb_per_second"` // gzip bytes read per second
	PeakRSSMB    float64 `json:"peak_rss_mb"`
	// CPUSeconds is user and system time: on a busy machine, wall time
	// depends on what else runs, CPU time much less.
	CPUSeconds float64 `json:"cpu_seconds"`
	Skipped    string  `json:"skipped,omitempty"` // why it did not run
}

// step is one contender.
type step struct {
	name string
	run  func() (result, error)
}

// run measures every contender whose name contains one of only's
// comma-separated words (all when empty), one after the other, runs times,
// and keeps each one's fastest run: other load only ever slows a run down.
func (b *bench) run(runs int, only string) report {
	rep := report{Corpus: b.m}
	self, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	child := func(mode string) (result, error) {
		return b.exec(exec.Command(self, "-mode", mode, "-dir", b.dir), parseChild)
	}
	steps := []step{
		{"detect (in process)", func() (result, error) { return child("detect") }},
		{"detect (binary)", func() (result, error) {
			return b.exec(exec.Command(b.bin, "trail", "detect", b.logs, "--format", "json", "-o", os.DevNull), parseDetectSummary)
		}},
		{"jq", b.jq},
		{"duckdb read_json", func() (result, error) { return child("duckdb") }},
		{"duckdb read_json, columns declared", func() (result, error) { return child("duckdb-columns") }},
		{"ingest", func() (result, error) { return child("ingest") }},
		{"sha256sum", b.sha256sum},
		{"zcat | sha256sum", b.zcatSHA256},
		{"verify", b.verify},
	}
	if only != "" {
		steps = slices.DeleteFunc(steps, func(s step) bool {
			return !slices.ContainsFunc(strings.Split(only, ","), func(w string) bool { return w != "" && strings.Contains(s.name, w) })
		})
	}
	rep.Results = make([]result, len(steps))
	for run := range runs {
		for i, s := range steps {
			if run > 0 && rep.Results[i].Skipped != "" {
				continue
			}
			fmt.Fprintf(os.Stderr, "run %d/%d: %s...\n", run+1, runs, s.name)
			r, err := s.run()
			r.Name = s.name
			if err != nil {
				r.Skipped = err.Error()
				fmt.Fprintf(os.Stderr, "  %s: %v\n", s.name, err)
			}
			if best := &rep.Results[i]; run == 0 || r.Skipped == "" && r.Seconds < best.Seconds {
				*best = r
			}
		}
	}
	rep.Checks = rep.checks()
	return rep
}

// exec runs cmd and measures its wall time and peak RSS; parse reads its
// output into the result's counts.
func (b *bench) exec(cmd *exec.Cmd, parse func(stdout, stderr []byte, r *result) error) (result, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start).Seconds()
	if err != nil {
		return result{}, fmt.Errorf("%v: %s", err, lastLine(stderr.Bytes()))
	}
	r := result{Seconds: elapsed, MBPerSec: mb(b.m.Bytes) / elapsed}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSSMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	r.CPUSeconds = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	if err := parse(stdout.Bytes(), stderr.Bytes(), &r); err != nil {
		return r, err
	}
	r.EventsPerSec = float64(r.Events) / elapsed
	return r, nil
}

func lastLine(b []byte) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return string(lines[len(lines)-1])
}

func parseChild(stdout, _ []byte, r *result) error {
	var c childResult
	if err := json.Unmarshal(stdout, &c); err != nil {
		return fmt.Errorf("child output: %w", err)
	}
	if c.Bad > 0 {
		return fmt.Errorf("%d bad files", c.Bad)
	}
	r.Events, r.Hits = c.Events, c.Hits
	return nil
}

var summaryRE = regexp.MustCompile(`trail detect: \d+ files \((\d+) bad\), (\d+) events .* (\d+) detections`)

// parseDetectSummary reads the counts from the summary line on stderr.
func parseDetectSummary(_, stderr []byte, r *result) error {
	m := summaryRE.FindSubmatch(stderr)
	if m == nil {
		return fmt.Errorf("no summary line in: %s", lastLine(stderr))
	}
	if string(m[1]) != "0" {
		return fmt.Errorf("%s bad files", m[1])
	}
	r.Events, _ = strconv.ParseInt(string(m[2]), 10, 64)
	r.Hits, _ = strconv.ParseInt(string(m[3]), 10, 64)
	return nil
}

// findLogs lists the log files under $1 for the shell contenders, NUL
// terminated: not the digests, .json.gz files too but without events.
const findLogs = `find "$1" -path '*/CloudTrail/*' -name '*.json.gz' -print0`

// jq runs zcat | jq over every file, as one would by hand. zcat and jq
// are separate processes, so the pipeline uses two cores too.
func (b *bench) jq() (result, error) {
	for _, tool := range []string{"jq", "zcat"} {
		if _, err := exec.LookPath(tool); err != nil {
			return result{}, fmt.Errorf("%s is not installed (apt-get install jq gzip)", tool)
		}
	}
	script := findLogs + ` | sort -z | xargs -0 zcat | jq -c "$2" | wc -l`
	return b.exec(exec.Command("sh", "-c", script, "sh", b.logs, jqFilter()), func(stdout, _ []byte, r *result) error {
		n, err := strconv.ParseInt(string(bytes.TrimSpace(stdout)), 10, 64)
		r.Events, r.Hits = int64(b.m.Events), n
		return err
	})
}

// sha256sum hashes every log file as it is on disk, gzip: the yardstick the
// verify target is stated against (see verify.go).
func (b *bench) sha256sum() (result, error) {
	if _, err := exec.LookPath("sha256sum"); err != nil {
		return result{}, fmt.Errorf("sha256sum is not installed (coreutils)")
	}
	script := findLogs + ` | xargs -0 sha256sum > /dev/null`
	return b.exec(exec.Command("sh", "-c", script, "sh", b.logs), func(_, _ []byte, r *result) error {
		r.Events = int64(b.m.Events)
		return nil
	})
}

// zcatSHA256 hashes the JSON of every log file, which is what digests
// record: inflating it is most of verify's work, and hashing the gzip files
// leaves that out. One zcat feeds one sha256sum, hashing the files as one
// stream: as many bytes inflated and hashed as one pipeline per file, without
// starting two processes per file. The pipeline uses two cores.
func (b *bench) zcatSHA256() (result, error) {
	for _, tool := range []string{"sha256sum", "zcat"} {
		if _, err := exec.LookPath(tool); err != nil {
			return result{}, fmt.Errorf("%s is not installed (coreutils, gzip)", tool)
		}
	}
	script := findLogs + ` | xargs -0 zcat | sha256sum > /dev/null`
	return b.exec(exec.Command("sh", "-c", script, "sh", b.logs), func(_, _ []byte, r *result) error {
		r.Events = int64(b.m.Events)
		return nil
	})
}
