package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func newCollectCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "collect [-o snapshot.json.gz]",
		Short: "Read the organization's configuration (read-only) into a snapshot file",
		Long: "collect calls only read APIs. It records what it saw and what it could not read (access denied,\n" +
			"unsupported, throttled) in a versioned gzip JSON snapshot that `audit --snapshot` and `docs --snapshot` read.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.output == "" {
				g.output = "snapshot.json.gz"
			}
			snap, err := g.collect(cmd.Context())
			if err != nil {
				return err
			}
			if err := snap.WriteFile(g.output); err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "wrote %s: %d accounts, %d regions, %d failed reads\n", g.output, len(snap.Accounts), len(snap.Regions), len(snap.Errors))
			return incomplete(snap)
		},
	}
	return cmd
}

// collect runs a collection with the global flags, with a progress bar on
// stderr when it is a terminal.
func (g *globals) collect(ctx context.Context) (*snapshot.Snapshot, error) {
	ss, err := g.sessions(ctx)
	if err != nil {
		return nil, err
	}
	opts := collect.Options{Org: g.org, Accounts: g.accounts, Regions: g.regions, Concurrency: g.concurrency, ToolVersion: Version}
	var bar *progressbar.ProgressBar
	if isTerminal(g.stderr) {
		opts.Progress = func(p collect.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(g.stderr), progressbar.OptionSetDescription("collecting accounts"),
					progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
			}
			_ = bar.Add(1)
		}
	}
	start := time.Now()
	snap, err := collect.Run(ctx, ss, opts)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return nil, err
	}
	if g.verbose > 0 {
		fmt.Fprintf(g.stderr, "collected in %s: %d API calls (%d HTTP attempts)\n", time.Since(start).Round(time.Millisecond), ss.Stats.Calls(), ss.Stats.Attempts())
	}
	return snap, nil
}

// incomplete returns the exit error for accounts that could not be assessed.
func incomplete(snap *snapshot.Snapshot) error {
	var n int
	for _, a := range snap.Accounts {
		if a.Unreachable != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &exitError{code: ExitIncomplete, err: fmt.Errorf("%d of %d accounts could not be assessed", n, len(snap.Accounts))}
}
