package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/handbook"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// handbookFile is what `docs --format html` writes in the output directory.
const handbookFile = "handbook.html"

func newDocsCmd(g *globals) *cobra.Command {
	var af auditFlags
	cmd := &cobra.Command{
		Use:   "docs -o DIR [--format md|html] [--snapshot F]",
		Short: "Write the handbook: every process, with live status when given a snapshot",
		Long: "docs writes the handbook generated from the catalog and the built-in rule pack: the goals, the account\n" +
			"structure, every process (manual, automated, detective) with why, how by hand and what baseline does, the\n" +
			"events to capture and where their alerts go, the maturity roadmap, the CIS v7.0 cross-walk and the FAQ.\n\n" +
			"--format md (the default) writes an MkDocs site: DIR/mkdocs.yml and DIR/docs/. --format html writes one\n" +
			"self-contained file, DIR/" + handbookFile + ", searchable offline. With --snapshot (and --attestations) every\n" +
			"control shows its status in each account, and manual controls the attestations due. -o defaults to handbook.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDocs(g, &af) },
	}
	f := cmd.Flags()
	f.StringVar(&af.snapshot, "snapshot", "", "show the status of every control in this snapshot")
	f.StringVar(&af.attestations, "attestations", "", "attestation file satisfying manual controls (with --snapshot)")
	f.StringVarP(&af.configFile, "config", "f", "", "baseline.yaml: designated accounts, alert sinks and emails, thresholds")
	return cmd
}

func runDocs(g *globals, af *auditFlags) error {
	if err := checkFormat(g.format, "md", "html"); err != nil {
		return err
	}
	if af.attestations != "" && af.snapshot == "" {
		return usageErr("--attestations needs --snapshot: attestations are judged against an audit")
	}
	// auditOptions reads baseline.yaml for the audit's settings; the alert
	// sinks come from the same file.
	cfg, err := loadConfig(af.configFile)
	if err != nil {
		return err
	}
	opts, err := auditOptions(af)
	if err != nil {
		return err
	}
	pack, err := rules.Builtin()
	if err != nil {
		return err
	}
	in := handbook.Input{Controls: catalog.All(), Rules: pack, Settings: opts.Settings, Sinks: cfg.Trail.Alerts,
		Attestations: opts.Attestations, Now: time.Now().UTC(), ToolVersion: Version}
	if af.snapshot != "" {
		if in.Snapshot, err = snapshot.ReadFile(af.snapshot); err != nil {
			return usageErr("%v", err)
		}
		in.Result = audit.Run(in.Snapshot, opts)
	}
	var files []handbook.File
	if g.format == "html" {
		page, err := handbook.HTML(in)
		if err != nil {
			return err
		}
		files = []handbook.File{{Path: handbookFile, Data: page}}
	} else if files, err = handbook.Markdown(in); err != nil {
		return err
	}
	dir := g.output
	if dir == "" {
		dir = "handbook"
	}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(g.stderr, "wrote the handbook to %s (%d files)\n", dir, len(files))
	return nil
}
