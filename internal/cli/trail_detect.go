package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/detect"
	"github.com/secure-baseline/baseline/internal/rules"
)

func init() { trailCommands = append(trailCommands, newTrailDetectCmd) }

type detectFlags struct {
	rules           []string
	since, until    string
	minLevel        string
	honeytokens     []string
	failOnDetection bool
}

func newTrailDetectCmd(g *globals) *cobra.Command {
	var df detectFlags
	cmd := &cobra.Command{
		Use:   "detect SRC...",
		Short: "Run the detections over CloudTrail logs (batch)",
		Long: "detect reads CloudTrail from files, directories and s3://bucket/prefix (.json or .json.gz, in the\n" +
			"AWSLogs/ layout or not), drops duplicate events, and runs the built-in Sigma rule pack plus the rules\n" +
			"in --rules DIR: detection rules on each event, correlation rules (bursts, sequences) over event time,\n" +
			"per account. Formats: table (default) and json (one object per line). Bad files and rules that\n" +
			"cannot be parsed are reported on stderr and skipped.\n\n" +
			"Exit codes: 0 ok, detections included; 1 detections and --fail-on-detection; 2 usage error.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runTrailDetect(cmd.Context(), g, &df, args) },
	}
	f := cmd.Flags()
	f.StringSliceVar(&df.rules, "rules", nil, "directory of Sigma rules (.yml, .yaml) to run with the built-in pack; repeatable")
	f.StringVar(&df.since, "since", "", "only events at or after this time (RFC 3339, YYYY-MM-DD, or a duration ago: 36h, 7d)")
	f.StringVar(&df.until, "until", "", "only events before this time (same forms as --since)")
	f.StringVar(&df.minLevel, "min-level", "", "report only rules at or above this level ("+strings.Join(detect.Levels, ", ")+")")
	f.StringSliceVar(&df.honeytokens, "honeytoken", nil, "IAM user name of a honeytoken: any use of its credentials is detected; repeatable")
	f.BoolVar(&df.failOnDetection, "fail-on-detection", false, "exit 1 when anything is detected")
	return cmd
}

func runTrailDetect(ctx context.Context, g *globals, df *detectFlags, args []string) error {
	format := g.format
	switch format {
	case "", "table":
		format = "table"
	case "json", "jsonl":
		format = "json"
	default:
		return usageErr("unknown format %q (table, json)", format)
	}
	since, until, err := timeRange(df.since, df.until)
	if err != nil {
		return err
	}
	for _, dir := range df.rules {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return usageErr("--rules %s: not a directory", dir)
		}
	}
	ruleSet, errs := rules.Load(df.rules...)
	for _, err := range errs {
		fmt.Fprintln(g.stderr, "baseline: rules:", err)
	}
	if ht := rules.Honeytoken(df.honeytokens); ht != nil {
		ruleSet = append(ruleSet, ht)
	}
	srcs, err := g.trailSources(ctx, args, cloudtrail.Options{Since: since, Until: until})
	if err != nil {
		return err
	}

	w, closeOut, err := g.out()
	if err != nil {
		return usageErr("%v", err)
	}
	out := newDetectionWriter(w, format)
	eng, err := detect.New(ruleSet, detect.Options{MinLevel: df.minLevel, Emit: out.write})
	if err != nil {
		return usageErr("%v", err)
	}
	cfg := detect.Config{Config: cloudtrail.Config{
		Since: since, Until: until,
		Dedup:   cloudtrail.NewDedup(cloudtrail.DefaultDedupLimit),
		OnError: func(err error) { fmt.Fprintln(g.stderr, "baseline: skipped:", err) },
	}}
	if anyS3(args) {
		cfg.Concurrency = max(g.concurrency, runtime.GOMAXPROCS(0)) // S3 reads wait on the network
	}
	progress := newProgress(g.stderr)
	cfg.Progress = progress.update
	start := time.Now()
	st, err := eng.Detect(ctx, srcs, cfg)
	progress.done()
	err = errors.Join(err, out.flush(), closeOut())
	elapsed := time.Since(start)
	fmt.Fprintf(g.stderr, "trail detect: %d files (%d bad), %d events (%d duplicates, %d out of range), %d detections in %s (%.0f events/s)\n",
		st.Files, st.BadFiles, st.Records, st.Duplicates, st.OutOfRange, out.count, elapsed.Round(time.Millisecond),
		float64(st.Records)/max(elapsed.Seconds(), 1e-9))
	if err != nil {
		return err
	}
	if df.failOnDetection && out.count > 0 {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d detections", out.count)}
	}
	return nil
}

func anyS3(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "s3://") {
			return true
		}
	}
	return false
}

// detectionWriter prints detections as they come. The engine calls write
// from one goroutine at a time.
type detectionWriter struct {
	format string
	enc    *json.Encoder
	tw     *tabwriter.Writer
	rows   int
	count  int
	err    error
}

// tableChunk is how many rows are aligned together: a table is printed as
// it goes rather than held whole.
const tableChunk = 100

func newDetectionWriter(w io.Writer, format string) *detectionWriter {
	dw := &detectionWriter{format: format}
	if format == "json" {
		dw.enc = json.NewEncoder(w)
		dw.enc.SetEscapeHTML(false)
	} else {
		dw.tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	}
	return dw
}

func (dw *detectionWriter) write(d detect.Detection) {
	dw.count++
	if dw.err != nil {
		return
	}
	if dw.enc != nil {
		dw.err = dw.enc.Encode(d)
		return
	}
	if dw.rows%tableChunk == 0 {
		if dw.err = dw.tw.Flush(); dw.err != nil {
			return
		}
		fmt.Fprintln(dw.tw, "LEVEL\tTIME\tRULE\tPRINCIPAL\tEVENT\tACCOUNT/REGION")
	}
	dw.rows++
	rule, event := d.RuleTitle, d.EventName
	if d.Correlation() {
		rule = fmt.Sprintf("%s (%d)", rule, d.Count)
	}
	if src, _, ok := strings.Cut(d.EventSource, "."); ok && event != "" {
		event = src + ":" + event
	}
	_, dw.err = fmt.Fprintf(dw.tw, "%s\t%s\t%s\t%s\t%s\t%s/%s\n", d.Level, d.EventTime.Format(time.RFC3339), rule,
		orDash(d.PrincipalARN), orDash(event), orDash(d.AccountID), orDash(d.Region))
}

func (dw *detectionWriter) flush() error {
	if dw.err == nil && dw.tw != nil {
		dw.err = dw.tw.Flush()
	}
	return dw.err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// progress shows files and events read on a terminal, at most ten times a
// second.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress {
	if !isTerminal(w) {
		return nil
	}
	return &progress{w: w}
}

func (p *progress) update(st cloudtrail.Stats) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last, p.shown = now, true
		fmt.Fprintf(p.w, "\r\033[Kdetecting: %d files, %d events", st.Files, st.Records)
	}
}

func (p *progress) done() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
