package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/config"
	"github.com/secure-baseline/baseline/internal/plan"
)

// ExitChanges is plan's exit code when there is something to apply, so CI
// can check for drift (terraform plan -detailed-exitcode uses 2, which is
// taken by usage errors here).
const ExitChanges = 4

type planFlags struct {
	configFile string
	out        string
	targets    []string
	exclude    []string
}

func (pf *planFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&pf.configFile, "config", "f", "", "baseline.yaml: accounts, regions, naming, alerts, budgets, disabled controls")
	f.StringSliceVar(&pf.targets, "target", nil, "plan only these control ids")
	f.StringSliceVar(&pf.exclude, "exclude-accounts", nil, "leave these account ids out")
}

func newPlanCmd(g *globals) *cobra.Command {
	var pf planFlags
	cmd := &cobra.Command{
		Use:   "plan -f baseline.yaml [--out FILE]",
		Short: "Show what apply would change (never changes anything)",
		Long: "plan reads the organization with the audit's read-only collectors, computes the desired state of every\n" +
			"enabled automated control from the catalog and baseline.yaml, and prints the changes per account, region\n" +
			"and resource (+ create, ~ update with before → after, - delete), what it will not change and why, and the\n" +
			"manual steps still owed. --format json prints the plan contract; --out saves it for `apply FILE`.\n\n" +
			"Exit codes: 0 nothing to do; 4 changes to apply; 2 usage or configuration error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(g.format, "table", "json"); err != nil {
				return err
			}
			cfg, err := loadConfig(pf.configFile)
			if err != nil {
				return err
			}
			p, err := g.plan(cmd.Context(), cfg, pf.options(g, cfg))
			if err != nil {
				return err
			}
			if pf.out != "" {
				if err := p.WriteFile(pf.out); err != nil {
					return err
				}
				fmt.Fprintf(g.stderr, "plan saved to %s: apply it with `baseline apply %s`\n", pf.out, pf.out)
			}
			if err := g.writePlan(p); err != nil {
				return err
			}
			if !p.Empty() {
				return &exitError{code: ExitChanges}
			}
			return nil
		},
	}
	pf.register(cmd)
	cmd.Flags().StringVar(&pf.out, "out", "", "save the plan to this file (also accepted as -out)")
	return cmd
}

func (pf *planFlags) options(g *globals, cfg *config.Config) plan.Options {
	return plan.Options{Settings: settingsFor(g, cfg), Disabled: cfg.Disabled(), Targets: pf.targets, Accounts: g.accounts, Exclude: pf.exclude}
}

// settingsFor completes the config's settings with what the command line
// says: the role baseline works through must stay exempt from the SCP
// guardrails it applies, or the next apply would lock itself out.
func settingsFor(g *globals, cfg *config.Config) *catalog.Settings {
	s := cfg.Settings()
	if g.roleName != "" && !slices.Contains(s.ExemptRoles, g.roleName) {
		s.ExemptRoles = append(s.ExemptRoles, g.roleName)
	}
	return s
}

// loadConfig reads baseline.yaml, or returns the defaults when path is "".
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default(), nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return cfg, nil
}

func checkFormat(format string, allowed ...string) error {
	if format == "" {
		return nil
	}
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return usageErr("unknown format %q (%v)", format, allowed)
}

// plan collects what the planned controls read, across the organization,
// and builds the plan.
func (g *globals) plan(ctx context.Context, cfg *config.Config, opts plan.Options) (*plan.Plan, error) {
	controls, err := plan.Controls(opts)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	ss, err := g.sessions(ctx)
	if err != nil {
		return nil, err
	}
	regions := g.regions
	if len(regions) == 0 {
		regions = cfg.Regions.Allowed
	}
	start := time.Now()
	snap, err := collect.Run(ctx, ss, collect.Options{Org: true, Regions: regions, Services: plan.Services(controls),
		Concurrency: g.concurrency, ToolVersion: Version})
	if err != nil {
		return nil, err
	}
	p, err := plan.Build(snap, opts)
	if err != nil {
		return nil, err
	}
	if g.verbose > 0 {
		fmt.Fprintf(g.stderr, "planned in %s: %d API calls\n", time.Since(start).Round(time.Millisecond), ss.Stats.Calls())
	}
	return p, nil
}

func (g *globals) writePlan(p *plan.Plan) error {
	w, closeOut, err := g.out()
	if err != nil {
		return err
	}
	if g.format == "json" {
		err = p.WriteJSON(w)
	} else {
		err = p.WriteText(w)
	}
	if err != nil {
		return err
	}
	return closeOut()
}
