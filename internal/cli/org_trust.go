package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/trust"
)

func newOrgTrustCmd(g *globals) *cobra.Command {
	var snapPath, configFile string
	cmd := &cobra.Command{
		Use:   "trust [--snapshot F]",
		Short: "The cross-account trust map: who outside each account can get in",
		Long: "trust draws which principals each account lets in: IAM role trust policies, S3 bucket, KMS key, SNS topic,\n" +
			"SQS queue, Lambda function and Secrets Manager secret policies, VPC peering connections and Transit Gateway\n" +
			"attachments. The organization's accounts are grouped by OU; principals outside it not listed in\n" +
			"audit.trusted_accounts are drawn in red, and are what the org.external-trust control fails on.\n" +
			"Formats: " + strings.Join(trust.Formats, ", ") + " (default mermaid); html is one self-contained page.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configFile)
			if err != nil {
				return err
			}
			format := g.format
			if format == "" {
				format = "mermaid"
			}
			if err := checkFormat(format, trust.Formats...); err != nil {
				return err
			}
			snap, err := g.orgSnapshot(cmd.Context(), snapPath, collect.ServicesFor(trust.Reads))
			if err != nil {
				return err
			}
			graph := trust.Build(snap, cfg.Settings())
			for _, gap := range graph.Gaps() {
				fmt.Fprintln(g.stderr, "baseline: warning:", gap)
			}
			w, closeOut, err := g.out()
			if err != nil {
				return err
			}
			if err := trust.Write(w, format, graph); err != nil {
				return err
			}
			return closeOut()
		},
	}
	cmd.Flags().StringVar(&snapPath, "snapshot", "", "read this snapshot instead of the live organization")
	cmd.Flags().StringVarP(&configFile, "config", "f", "", "baseline.yaml (audit.trusted_accounts)")
	return cmd
}
