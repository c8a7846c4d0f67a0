package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/inventory"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func newOrgCmd(g *globals) *cobra.Command {
	var snapPath, configFile string
	cmd := &cobra.Command{
		Use:   "org [--snapshot F]",
		Short: "The account inventory: accounts, OUs, category, owner, contacts",
		Long: "org lists every account of the organization with its email (and whether it is on the company's domains),\n" +
			"OU path, category, owner and business-unit tags, security/operations/billing contacts, alias, status and\n" +
			"join date, and what is missing: a root email outside organization.company_email_domains, an account without\n" +
			"a category, an owner or a security contact. Formats: " + strings.Join(inventory.Formats, ", ") + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configFile)
			if err != nil {
				return err
			}
			if err := checkFormat(g.format, inventory.Formats...); err != nil {
				return err
			}
			// Organizations discovery plus the account collector (contacts, alias).
			snap, err := g.orgSnapshot(cmd.Context(), snapPath, []string{"account"})
			if err != nil {
				return err
			}
			w, closeOut, err := g.out()
			if err != nil {
				return err
			}
			if err := inventory.Write(w, g.format, inventory.Build(snap, cfg.Settings())); err != nil {
				return err
			}
			return closeOut()
		},
	}
	cmd.Flags().StringVar(&snapPath, "snapshot", "", "read this snapshot instead of the live organization")
	cmd.Flags().StringVarP(&configFile, "config", "f", "", "baseline.yaml (company email domains, owners)")
	cmd.AddCommand(newOrgTrustCmd(g))
	return cmd
}

// orgSnapshot reads the snapshot file, or collects the organization with
// only the given collectors.
func (g *globals) orgSnapshot(ctx context.Context, path string, services []string) (*snapshot.Snapshot, error) {
	if path != "" {
		snap, err := snapshot.ReadFile(path)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		return snap, nil
	}
	ss, err := g.sessions(ctx)
	if err != nil {
		return nil, err
	}
	return collect.Run(ctx, ss, collect.Options{Org: true, Regions: g.regions, Services: services, Concurrency: g.concurrency, ToolVersion: Version})
}
