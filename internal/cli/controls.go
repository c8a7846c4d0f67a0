package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	json "github.com/goccy/go-json"
	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/catalog"
)

func newControlsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "controls [list|show ID]",
		Short: "The catalog of controls",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return listControls(g) },
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List every control (--format table|json|csv)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return listControls(g) },
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one control: rationale, steps, reads (--format text|json)",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, c := range catalog.All() {
				ids = append(ids, c.ID)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ok := catalog.Get(args[0])
			if !ok {
				return usageErr("unknown control %q (see `baseline controls list`)", args[0])
			}
			return showControl(g, c)
		},
	}
	perms := &cobra.Command{
		Use:   "permissions",
		Short: "Print the IAM actions the checks depend on, as a policy (with SecurityAudit and ViewOnlyAccess it covers every read)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, closeOut, err := g.out()
			if err != nil {
				return err
			}
			policy := map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{{
				"Sid": "BaselineAuditReadOnly", "Effect": "Allow", "Action": catalog.Permissions(), "Resource": "*",
			}}}
			if err := writeJSON(w, policy); err != nil {
				return err
			}
			return closeOut()
		},
	}
	cmd.AddCommand(list, show, perms)
	return cmd
}

// controlSummary is the JSON contract of `controls list --format json`.
type controlSummary struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Stage    string   `json:"stage"`
	Kind     string   `json:"kind"`
	Scope    string   `json:"scope"`
	Severity string   `json:"severity"`
	CIS      []string `json:"cis"`
}

func summarize(c *catalog.Control) controlSummary {
	cis := c.CIS
	if cis == nil {
		cis = []string{}
	}
	return controlSummary{ID: c.ID, Title: c.Title, Stage: c.Stage, Kind: string(c.Kind), Scope: string(c.Scope), Severity: string(c.Severity), CIS: cis}
}

func listControls(g *globals) error {
	w, closeOut, err := g.out()
	if err != nil {
		return err
	}
	controls := catalog.All()
	switch g.format {
	case "", "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTAGE\tKIND\tSEVERITY\tCIS\tTITLE")
		for _, c := range controls {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Stage, c.Kind, c.Severity, strings.Join(c.CIS, ","), c.Title)
		}
		err = tw.Flush()
	case "json":
		out := make([]controlSummary, 0, len(controls))
		for _, c := range controls {
			out = append(out, summarize(c))
		}
		err = writeJSON(w, out)
	case "csv":
		err = writeControlsCSV(w, controls)
	default:
		return usageErr("unknown format %q for controls list (table, json, csv)", g.format)
	}
	if err != nil {
		return err
	}
	return closeOut()
}

func writeControlsCSV(w io.Writer, controls []*catalog.Control) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "title", "stage", "kind", "scope", "severity", "cis"})
	for _, c := range controls {
		cw.Write([]string{c.ID, c.Title, c.Stage, string(c.Kind), string(c.Scope), string(c.Severity), strings.Join(c.CIS, " ")})
	}
	cw.Flush()
	return cw.Error()
}

func showControl(g *globals, c *catalog.Control) error {
	w, closeOut, err := g.out()
	if err != nil {
		return err
	}
	switch g.format {
	case "", "text", "table":
		fmt.Fprintf(w, "%s — %s\n\n", c.ID, c.Title)
		fmt.Fprintf(w, "Stage:     %s\nKind:      %s\nScope:     %s\nSeverity:  %s\n", c.Stage, c.Kind, c.Scope, c.Severity)
		if len(c.CIS) > 0 {
			fmt.Fprintf(w, "CIS v7.0:  %s\n", strings.Join(c.CIS, ", "))
		}
		if c.Knob != "" {
			fmt.Fprintf(w, "Setting:   %s (baseline.yaml)\n", c.Knob)
		}
		fmt.Fprintf(w, "\nWhy\n  %s\n\nSteps\n", c.Rationale)
		for _, l := range strings.Split(c.Steps, "\n") {
			fmt.Fprintf(w, "  %s\n", l)
		}
		if len(c.Reads) > 0 {
			fmt.Fprintf(w, "\nPermissions read\n  %s\n", strings.Join(c.Reads, ", "))
		}
		if len(c.Detections) > 0 {
			fmt.Fprintf(w, "\nRelated detections\n  %s\n", strings.Join(c.Detections, ", "))
		}
	case "json":
		type detail struct {
			controlSummary
			Rationale  string   `json:"rationale"`
			Steps      string   `json:"steps"`
			Reads      []string `json:"reads"`
			Detections []string `json:"detections"`
			Setting    string   `json:"setting,omitempty"`
		}
		err = writeJSON(w, detail{summarize(c), c.Rationale, c.Steps, c.Reads, c.Detections, c.Knob})
	default:
		return usageErr("unknown format %q for controls show (text, json)", g.format)
	}
	if err != nil {
		return err
	}
	return closeOut()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
