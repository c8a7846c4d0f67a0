package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/index"
)

func init() { trailCommands = append(trailCommands, newTrailIngestCmd) }

func newTrailIngestCmd(g *globals) *cobra.Command {
	var dir, since, until string
	cmd := &cobra.Command{
		Use:   "ingest SRC...",
		Short: "Add CloudTrail logs to the local Parquet index",
		Long: "ingest reads CloudTrail from files, directories and s3://bucket/prefix into a Parquet index partitioned\n" +
			"by account, region and date (the layout Athena's partition projection reads), for `trail query`.\n" +
			"It is incremental and idempotent: files ingested before are skipped, events already indexed are\n" +
			"dropped by eventID. Bad files are reported and skipped. Formats: text (default) and json.\n\n" +
			"Exit codes: 0 ok, bad files included; 2 usage error; 3 nothing could be read.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrailIngest(cmd.Context(), g, dir, since, until, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "index", "", "index directory (default $XDG_DATA_HOME/baseline/trail or ~/.local/share/baseline/trail)")
	f.StringVar(&since, "since", "", "only events at or after this time (RFC 3339, YYYY-MM-DD, or a duration ago: 36h, 7d)")
	f.StringVar(&until, "until", "", "only events before this time (same forms as --since)")
	return cmd
}

func runTrailIngest(ctx context.Context, g *globals, dir, since, until string, args []string) error {
	if g.format != "" && g.format != "text" && g.format != "json" {
		return usageErr("--format %q: ingest prints text or json", g.format)
	}
	s, u, err := timeRange(since, until)
	if err != nil {
		return err
	}
	root, err := indexRoot(dir)
	if err != nil {
		return err
	}
	srcs, err := g.trailSources(ctx, args, cloudtrail.Options{Since: s, Until: u})
	if err != nil {
		return err
	}
	opts := index.IngestOptions{Since: s, Until: u}
	for _, a := range args {
		if strings.HasPrefix(a, "s3://") {
			opts.Concurrency = g.concurrency // S3 reads wait on latency, not CPU
		}
	}
	start := time.Now()
	st, err := index.Ingest(ctx, root, srcs, opts)
	if err != nil {
		return err
	}
	w, closeOut, err := g.out()
	if err != nil {
		return err
	}
	if g.format == "json" {
		err = writeIngestJSON(w, root, st)
	} else {
		err = writeIngestText(w, root, st, time.Since(start))
	}
	if err = errors.Join(err, closeOut()); err != nil {
		return err
	}
	if st.Unchanged == 0 && st.Events+st.OutOfRange == 0 && (st.Files == 0 || len(st.Bad) > 0) {
		fmt.Fprintln(g.stderr, "baseline: nothing could be read")
		return &exitError{code: ExitIncomplete, err: errors.New("nothing could be read")}
	}
	return nil
}

// indexRoot is --index or the default data directory.
func indexRoot(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return index.DefaultRoot()
}

// trailSources opens each SRC; an S3 client is made only when one is an
// s3:// URL.
func (g *globals) trailSources(ctx context.Context, args []string, opts cloudtrail.Options) ([]cloudtrail.Source, error) {
	for _, a := range args {
		if strings.HasPrefix(a, "s3://") {
			ss, err := g.sessions(ctx)
			if err != nil {
				return nil, err
			}
			cfg, err := ss.Caller(ctx)
			if err != nil {
				return nil, err
			}
			opts.S3 = s3.NewFromConfig(cfg, awsx.S3Addressing)
			break
		}
	}
	srcs := make([]cloudtrail.Source, 0, len(args))
	for _, a := range args {
		src, err := cloudtrail.Open(ctx, a, opts)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		srcs = append(srcs, src)
	}
	return srcs, nil
}

func writeIngestText(w io.Writer, root string, st index.IngestStats, elapsed time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "indexed into %s in %s\n", root, elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "files:      %d read, %d unchanged since an earlier run, %d digest/insight skipped, %d bad\n",
		st.Files, st.Unchanged, st.Skipped, len(st.Bad))
	fmt.Fprintf(&b, "events:     %d read, %d new, %d duplicates, %d out of range\n", st.Events, st.New, st.Duplicates, st.OutOfRange)
	for _, bf := range st.Bad {
		fmt.Fprintf(&b, "bad file:   %s: %s\n", bf.Name, bf.Err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeIngestJSON(w io.Writer, root string, st index.IngestStats) error {
	bad := st.Bad
	if bad == nil {
		bad = []index.BadFile{}
	}
	return json.NewEncoder(w).Encode(struct {
		Index      string          `json:"index"`
		Files      int64           `json:"files"`
		Unchanged  int64           `json:"unchanged"`
		Skipped    int64           `json:"skipped"`
		Events     int64           `json:"events"`
		New        int64           `json:"new"`
		Duplicates int64           `json:"duplicates"`
		OutOfRange int64           `json:"out_of_range"`
		BadFiles   []index.BadFile `json:"bad_files"`
	}{root, st.Files, st.Unchanged, st.Skipped, st.Events, st.New, st.Duplicates, st.OutOfRange, bad})
}
