package cli

import "github.com/spf13/cobra"

// trailCommands are the subcommands of `baseline trail`; each lives in its
// own file and registers itself here.
var trailCommands []func(*globals) *cobra.Command

func newTrailCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trail",
		Short: "CloudTrail: ingest, detect, watch, query and verify",
		Long: "trail reads CloudTrail from files, directories, s3://bucket/prefix or an SQS queue, runs the Sigma\n" +
			"detections of the built-in pack (plus --rules DIR), alerts, indexes events into Parquet for queries\n" +
			"with embedded DuckDB (or Athena at scale), and verifies the digest chain of log files.",
	}
	for _, f := range trailCommands {
		cmd.AddCommand(f(g))
	}
	return cmd
}
