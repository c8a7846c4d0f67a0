package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/config"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func newInitCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "init [--regions R,...] -o baseline.yaml",
		Short: "Write a commented starting baseline.yaml from the live organization",
		Long: "init reads the organization (accounts, OUs, tags) and writes a starting baseline.yaml: the security,\n" +
			"log-archive and shared-services accounts where their names, tags or OUs make them unambiguous, every\n" +
			"account's category, the allowed regions (--regions, default the enabled ones) and the defaults of the\n" +
			"naming scheme, alerts and budgets. When a role is ambiguous it asks on a terminal, and otherwise leaves\n" +
			"a TODO comment listing the candidates.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			// Organizations discovery is all init needs; the account
			// collector is the cheapest one that still sees every account.
			snap, err := g.orgSnapshot(ctx, "", []string{"account"})
			if err != nil {
				return err
			}
			// The first region given is the home region: keep the order typed.
			regions := snap.Regions
			if len(g.regions) > 0 {
				regions = g.regions
			}
			opts := config.InitOptions{Regions: regions, Now: time.Now().UTC(), Chosen: map[string]string{}}
			if f, ok := cmd.InOrStdin().(*os.File); ok && isTerminal(f) {
				ask(f, g.stderr, snap, opts.Chosen)
			}
			out, todo := config.Generate(snap, opts)
			if _, err := config.Parse(out); err != nil {
				return fmt.Errorf("init wrote an invalid file (a bug): %v", err)
			}
			w, closeOut, err := g.out()
			if err != nil {
				return err
			}
			if _, err := w.Write(out); err != nil {
				return err
			}
			if err := closeOut(); err != nil {
				return err
			}
			for _, t := range todo {
				fmt.Fprintf(g.stderr, "TODO %s\n", t)
			}
			return nil
		},
	}
}

// ask lets the person pick the account of each ambiguous role.
func ask(in io.Reader, out io.Writer, snap *snapshot.Snapshot, chosen map[string]string) {
	r := bufio.NewReader(in)
	for _, role := range config.Roles {
		cands := role.Candidates(snap)
		if len(cands) == 1 {
			continue
		}
		fmt.Fprintf(out, "Which account is the %s? ", strings.TrimSuffix(strings.ReplaceAll(role.Key, "_", " "), " account"))
		for i, a := range cands {
			fmt.Fprintf(out, "[%d] %s (%s)  ", i+1, a.Name, a.AccountID)
		}
		fmt.Fprint(out, "(number, account id, or Enter to decide later): ")
		line, _ := r.ReadString('\n')
		line = strings.TrimSpace(line)
		var n int
		if _, err := fmt.Sscanf(line, "%d", &n); err == nil && n >= 1 && n <= len(cands) && len(line) < 4 {
			chosen[role.Key] = cands[n-1].AccountID
		} else if line != "" {
			chosen[role.Key] = line
		}
	}
}
