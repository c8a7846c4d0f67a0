package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/demo"
)

func newDemoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Tour baseline on a local AWS emulator (no AWS account needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, closeOut, err := g.out()
			if err != nil {
				return err
			}
			err = demo.Run(cmd.Context(), demo.Options{Out: w, Log: g.stderr, Format: g.format, ToolVersion: Version,
				Concurrency: g.concurrency, Color: g.output == "" && isTerminal(g.stdout) && os.Getenv("NO_COLOR") == ""})
			if err != nil {
				return err
			}
			return closeOut()
		},
	}
}
