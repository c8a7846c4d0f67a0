package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/demo"
)

func newDemoCmd(g *globals) *cobra.Command {
	dir := "baseline-demo"
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Tour baseline on a local AWS emulator (no AWS account needed)",
		Long: "demo starts the AWS emulator (moto) on loopback, builds a deliberately insecure 4-account organization,\n" +
			"and runs baseline's own commands over it, echoing each one: audit, plan, apply, audit again (the maturity\n" +
			"stage rises), the HTML report and the handbook, then a generated day of CloudTrail with a few attacks,\n" +
			"streamed through `trail watch`, and a who-changed answer. Without moto it runs the offline parts and says\n" +
			"what it skipped. Its files (config, plan, reports, handbook, index) go to --dir.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, closeOut, err := g.out()
			if err != nil {
				return err
			}
			run := func(ctx context.Context, stdout, stderr io.Writer, args ...string) int {
				return Run(ctx, args, stdout, stderr)
			}
			if err := demo.Run(cmd.Context(), demo.Options{Out: w, Log: g.stderr, Dir: dir, Run: run, Concurrency: g.concurrency}); err != nil {
				return err
			}
			return closeOut()
		},
	}
	cmd.Flags().StringVar(&dir, "dir", dir, "directory for the tour's files")
	return cmd
}
