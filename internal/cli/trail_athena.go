package cli

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/index"
)

func init() { trailCommands = append(trailCommands, newTrailAthenaCmd) }

func newTrailAthenaCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "athena",
		Short: "Run the CloudTrail index on Athena",
	}
	var location string
	ddl := &cobra.Command{
		Use:   "ddl [--location s3://bucket/prefix]",
		Short: "Print the Athena tables for a copy of the index in S3",
		Long: "ddl prints the statements that declare the index, copied to --location, as the Athena tables events\n" +
			"(partition projection over account, region and date: no crawler, no MSCK REPAIR) and refs. --accounts\n" +
			"and --regions become the projected values; without --accounts, queries of events must name their\n" +
			"accounts. Then `trail query --engine athena` runs SQL, who-changed and activity there.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, closeOut, err := g.out()
			if err != nil {
				return err
			}
			_, err = io.WriteString(w, index.AthenaDDL(location, g.accounts, g.regions))
			return errors.Join(err, closeOut())
		},
	}
	ddl.Flags().StringVar(&location, "location", "s3://BUCKET/baseline/trail", "s3:// prefix holding the index's events/ and refs/ folders")
	cmd.AddCommand(ddl)
	return cmd
}
