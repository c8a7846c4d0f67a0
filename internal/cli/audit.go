package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/attest"
	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/config"
	"github.com/secure-baseline/baseline/internal/report"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

type auditFlags struct {
	snapshot     string
	saveSnapshot string
	attestations string
	configFile   string
	failOn       string
	controls     []string
}

func newAuditCmd(g *globals) *cobra.Command {
	var af auditFlags
	cmd := &cobra.Command{
		Use:   "audit [--snapshot F]",
		Short: "Evaluate every control: findings and maturity stage per account",
		Long: "audit collects (or reads --snapshot) and evaluates the catalog. A control that could not be assessed is\n" +
			"ERROR naming the failed read, never PASS or FAIL. Formats: " + strings.Join(report.Formats(), ", ") + ".\n\n" +
			"Exit codes: 0 ok; 1 findings at or above --fail-on; 2 usage or configuration error;\n" +
			"3 some accounts could not be assessed (only when nothing else applies).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAudit(cmd, g, &af) },
	}
	f := cmd.Flags()
	f.StringVar(&af.snapshot, "snapshot", "", "audit this snapshot file offline instead of collecting")
	f.StringVar(&af.saveSnapshot, "save-snapshot", "", "also write the collected snapshot to this file")
	f.StringVar(&af.attestations, "attestations", "", "attestation file satisfying manual controls")
	f.StringVarP(&af.configFile, "config", "f", "", "baseline.yaml (audit: thresholds, designated accounts, disabled controls)")
	f.StringVar(&af.failOn, "fail-on", "", "exit 1 when a FAIL finding is at or above this severity (critical, high, medium, low)")
	f.StringSliceVar(&af.controls, "controls", nil, "evaluate only these control ids")
	return cmd
}

func runAudit(cmd *cobra.Command, g *globals, af *auditFlags) error {
	format := g.format
	if format == "" {
		format = "table"
	}
	if !report.Known(format) {
		return usageErr("unknown format %q (%s)", format, strings.Join(report.Formats(), ", "))
	}
	if af.failOn != "" && catalog.SeverityRank(catalog.Severity(af.failOn)) == 0 {
		return usageErr("--fail-on %q: want critical, high, medium or low", af.failOn)
	}
	opts, err := auditOptions(af)
	if err != nil {
		return err
	}
	var snap *snapshot.Snapshot
	if af.snapshot != "" {
		if snap, err = snapshot.ReadFile(af.snapshot); err != nil {
			return usageErr("%v", err)
		}
	} else {
		if snap, err = g.collect(cmd.Context()); err != nil {
			return err
		}
		if af.saveSnapshot != "" {
			if err := snap.WriteFile(af.saveSnapshot); err != nil {
				return err
			}
		}
	}
	res := audit.Run(snap, opts)

	w, closeOut, err := g.out()
	if err != nil {
		return err
	}
	in := report.Input{Result: res, Snapshot: snap, Now: time.Now().UTC(), ToolVersion: Version,
		Color: g.output == "" && isTerminal(g.stdout) && os.Getenv("NO_COLOR") == ""}
	if err := report.Write(w, format, in); err != nil {
		return err
	}
	if err := closeOut(); err != nil {
		return err
	}
	if n := failingAtOrAbove(res, af.failOn); n > 0 {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d findings at or above %s", n, af.failOn)}
	}
	return incomplete(snap)
}

// auditOptions reads the config and attestation files.
func auditOptions(af *auditFlags) (audit.Options, error) {
	cfg := config.Default()
	if af.configFile != "" {
		c, err := config.Load(af.configFile)
		if err != nil {
			return audit.Options{}, usageErr("%v", err)
		}
		cfg = c
	}
	opts := audit.Options{Settings: cfg.Settings(), Disabled: cfg.Disabled()}
	if af.attestations != "" {
		set, err := attest.ParseFile(af.attestations, func(id string) (bool, bool) {
			c, ok := catalog.Get(id)
			return ok, ok && c.Kind == catalog.Manual
		})
		if err != nil {
			return opts, usageErr("%v", err)
		}
		opts.Attestations = set
	}
	for _, id := range af.controls {
		c, ok := catalog.Get(id)
		if !ok {
			return opts, usageErr("unknown control %q", id)
		}
		opts.Controls = append(opts.Controls, c)
	}
	return opts, nil
}

func failingAtOrAbove(res *audit.Result, failOn string) int {
	if failOn == "" {
		return 0
	}
	min := catalog.SeverityRank(catalog.Severity(failOn))
	n := 0
	for _, f := range res.Findings {
		if f.Status == catalog.StatusFail && catalog.SeverityRank(f.Severity) >= min {
			n++
		}
	}
	return n
}
