package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/apply"
	"github.com/secure-baseline/baseline/internal/config"
	"github.com/secure-baseline/baseline/internal/plan"
)

func newApplyCmd(g *globals) *cobra.Command {
	var pf planFlags
	var autoApprove bool
	cmd := &cobra.Command{
		Use:   "apply [PLANFILE] -f baseline.yaml",
		Short: "Make the changes of a plan (asks first unless --auto-approve)",
		Long: "apply carries out a plan saved by `plan --out FILE`, or plans first and asks. A saved plan is applied only\n" +
			"when the organization still is as it was observed (otherwise: plan again). Changes run in dependency order\n" +
			"(KMS key → bucket → trail; topic → rules), eventual-consistency errors are retried, and each change is\n" +
			"reported done or failed; a failed change skips only what depends on it. Every change is idempotent: after a\n" +
			"crash, run apply again.\n\n" +
			"Exit codes: 0 every change done (or nothing to do); 1 some changes failed; 2 usage, configuration or stale plan.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g.format, "table", "json"); err != nil {
				return err
			}
			cfg, err := loadConfig(pf.configFile)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			p, err := g.planToApply(ctx, cfg, &pf, args)
			if err != nil {
				return err
			}
			if p.Empty() {
				fmt.Fprintln(g.stderr, "No changes: nothing to apply.")
				return nil
			}
			if !autoApprove {
				if err := g.writePlan(p); err != nil {
					return err
				}
				if err := confirm(cmd.InOrStdin(), g.stderr, p); err != nil {
					return err
				}
			}
			return g.apply(ctx, cfg, p)
		},
	}
	pf.register(cmd)
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking (automation)")
	return cmd
}

// planToApply reads the saved plan and checks it against the live state, or
// plans now.
func (g *globals) planToApply(ctx context.Context, cfg *config.Config, pf *planFlags, args []string) (*plan.Plan, error) {
	if len(args) == 0 {
		return g.plan(ctx, cfg, pf.options(g, cfg))
	}
	saved, err := plan.ReadFile(args[0])
	if err != nil {
		return nil, usageErr("%v", err)
	}
	// Observe again exactly what the saved plan looked at.
	opts := plan.Options{Settings: settingsFor(g, cfg), Disabled: cfg.Disabled(), Targets: saved.Scope.Controls,
		Accounts: saved.Scope.Accounts, Exclude: saved.Scope.Exclude}
	again := *g
	again.regions = saved.Scope.Regions
	live, err := again.plan(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	if diffs := plan.Stale(saved, live); len(diffs) > 0 {
		const show = 5
		more := ""
		if len(diffs) > show {
			more = fmt.Sprintf("\n  … and %d more", len(diffs)-show)
			diffs = diffs[:show]
		}
		return nil, usageErr("plan %s is stale: the organization changed since it was made (observed %s); run plan again:\n  %s%s",
			args[0], saved.ObservedAt.Format(time.RFC3339), strings.Join(diffs, "\n  "), more)
	}
	return saved, nil
}

// confirm asks the person to type the organization id, so that a plan is
// never applied to the wrong organization by a stray Enter.
func confirm(in io.Reader, out io.Writer, p *plan.Plan) error {
	want := p.OrganizationID
	if want == "" {
		want = "yes"
	}
	c, u, d := p.Counts()
	fmt.Fprintf(out, "\napply makes %d creations, %d updates and %d deletions. Type %q to apply: ", c, u, d, want)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return usageErr("apply cancelled: no answer (use --auto-approve in automation)")
	}
	if strings.TrimSpace(line) != want {
		return usageErr("apply cancelled")
	}
	return nil
}

// apply runs the plan and reports each change as it ends.
func (g *globals) apply(ctx context.Context, cfg *config.Config, p *plan.Plan) error {
	ss, err := g.sessions(ctx)
	if err != nil {
		return err
	}
	home := settingsFor(g, cfg).HomeRegion
	total := len(p.Changes)
	n := 0
	start := time.Now()
	res, err := apply.Run(ctx, p, apply.SessionConfigs(ss, home), apply.Options{Concurrency: g.concurrency, Progress: func(ev apply.Event) {
		if ev.Status == "" {
			return
		}
		n++
		ch := ev.Change
		mark := "✓"
		if ev.Status != apply.Done {
			mark = "✗"
		}
		line := fmt.Sprintf("[%d/%d] %s %s %s %s %s %s", n, total, mark, ch.Action.Symbol(), ch.ControlID, ch.AccountID, regionLabel(ch.Region), ch.Resource)
		if ev.Err != nil {
			line += ": " + string(ev.Status) + ": " + ev.Err.Error()
		}
		fmt.Fprintln(g.stderr, line)
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "Apply: %d done, %d failed, %d skipped in %s (%d API calls).\n", res.Done, res.Failed, res.Skipped,
		time.Since(start).Round(time.Millisecond), ss.Stats.Calls())
	if res.Failed+res.Skipped > 0 {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d changes did not succeed: fix the cause and run apply again", res.Failed+res.Skipped)}
	}
	return nil
}

func regionLabel(r string) string {
	if r == "" {
		return "global"
	}
	return r
}
