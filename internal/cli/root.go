// Package cli is the command-line shell over the packages of internal/: it
// parses flags, builds the core objects and renders their results. It holds
// no logic of its own.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/awsx"
	_ "github.com/secure-baseline/baseline/internal/controls" // registers the catalog
)

// Exit codes (the design's contract).
const (
	ExitOK         = 0
	ExitFindings   = 1 // findings at or above --fail-on
	ExitUsage      = 2 // usage or configuration error
	ExitIncomplete = 3 // some accounts or regions could not be assessed
)

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// globals are the AWS CLI-like flags every command shares.
type globals struct {
	profile     string
	region      string
	regions     []string
	accounts    []string
	org         bool
	roleName    string
	externalID  string
	format      string
	output      string
	concurrency int
	verbose     int

	stdout io.Writer
	stderr io.Writer
}

// exitError carries an exit code up to Execute.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// Execute runs the command line and returns the process exit code.
func Execute() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// Run runs the command line with the given arguments and streams; tests call it directly.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := newRoot(g)
	root.SetArgs(terraformHabits(args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != ExitFindings && ee.code != ExitIncomplete {
			fmt.Fprintln(stderr, "baseline:", ee.err)
		}
		return ee.code
	}
	// Flag errors, bad files and unusable credentials all mean the command
	// could not run as asked.
	fmt.Fprintln(stderr, "baseline:", err)
	return ExitUsage
}

// terraformHabits accepts `plan -out FILE` as Terraform users type it (a
// single dash would otherwise read as -o ut).
func terraformHabits(args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		if a == "-out" || strings.HasPrefix(a, "-out=") {
			out[i] = "-" + a
		}
	}
	return out
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "baseline",
		Short: "Document, apply, audit and watch a secure AWS baseline",
		Long: "baseline makes a secure AWS environment real: it documents every security process, applies the\n" +
			"automatable ones across an AWS Organization, audits every account against them, and watches\n" +
			"CloudTrail for what must never go unnoticed. One catalog of controls drives all of it.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			level := slog.LevelWarn
			switch {
			case g.verbose >= 2:
				level = slog.LevelDebug
			case g.verbose == 1:
				level = slog.LevelInfo
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level})))
		},
	}
	f := root.PersistentFlags()
	f.StringVar(&g.profile, "profile", "", "AWS profile to use (default: AWS_PROFILE or the default profile)")
	f.StringVar(&g.region, "region", "", "home region for global services (default: the profile's, then us-east-1)")
	f.StringSliceVar(&g.regions, "regions", nil, "regions to assess, comma-separated (default: every enabled region)")
	f.StringSliceVar(&g.accounts, "accounts", nil, "account ids to assess, comma-separated")
	f.BoolVar(&g.org, "org", false, "discover member accounts through AWS Organizations")
	f.StringVar(&g.roleName, "role-name", awsx.DefaultRoleName, "role assumed in each member account")
	f.StringVar(&g.externalID, "external-id", "", "external id passed when assuming the member role")
	f.StringVar(&g.format, "format", "", "output format (see each command)")
	f.StringVarP(&g.output, "output", "o", "", "write output to this file instead of stdout")
	f.IntVar(&g.concurrency, "concurrency", 32, "maximum AWS calls in flight")
	f.CountVarP(&g.verbose, "verbose", "v", "log more (-v info, -vv debug) to stderr")
	root.SetVersionTemplate("baseline {{.Version}}\n")

	root.AddCommand(newVersionCmd(), newControlsCmd(g), newCollectCmd(g), newAuditCmd(g), newOrgCmd(g), newInitCmd(g), newPlanCmd(g), newApplyCmd(g), newTrailCmd(g), newLambdaCmd(g), newDemoCmd(g), newDocsCmd(g))
	return root
}

func (g *globals) sessions(ctx context.Context) (*awsx.Sessions, error) {
	return awsx.NewSessions(ctx, awsx.Options{Profile: g.profile, Region: g.region, RoleName: g.roleName, ExternalID: g.externalID})
}

// out opens the -o file or returns stdout; the returned close function
// reports write errors.
func (g *globals) out() (io.Writer, func() error, error) {
	if g.output == "" || g.output == "-" {
		return g.stdout, func() error { return nil }, nil
	}
	f, err := os.Create(g.output)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// isTerminal reports whether w is a character device (progress bars, colour).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "baseline %s\n", Version)
		},
	}
}
