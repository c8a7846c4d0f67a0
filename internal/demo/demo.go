// Package demo is the guided tour behind `baseline demo`: it builds a
// deliberately insecure organization on the local AWS emulator and runs the
// product over it, so anyone can see baseline work without an AWS account.
package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/emulator"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/report"
)

// Regions the demo organization is assessed in.
var Regions = []string{"us-east-1", "eu-west-1"}

// Options of a demo run.
type Options struct {
	Out, Log    io.Writer
	Format      string
	Color       bool
	ToolVersion string
	Concurrency int
}

// Run performs the tour. It says what it does on Log and writes reports on Out.
func Run(ctx context.Context, opts Options) error {
	if !emulator.Available() {
		fmt.Fprintf(opts.Log, "%v\nskipped: building the demo organization and collecting it live (needs the emulator)\n", emulator.ErrNotInstalled)
		return offline(opts)
	}
	step(opts.Log, "starting the AWS emulator (moto) on loopback")
	srv, err := emulator.Start(ctx, emulator.Options{LoadManagedPolicies: true})
	if err != nil {
		return err
	}
	defer srv.Stop()
	// The SDK, like the AWS CLI, reads its endpoint and credentials from the
	// environment: point this process at the emulator only.
	for k, v := range srv.Env() {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	step(opts.Log, "building a deliberately insecure 4-account organization through the AWS APIs")
	org, err := fixture.BuildInsecure(ctx, cfg, Regions)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.Log, "  organization %s: management %s, security %s, log-archive %s, workload %s\n",
		org.ID, org.Management, org.AccountID("security"), org.AccountID("log-archive"), org.AccountID("workload"))

	step(opts.Log, fmt.Sprintf("auditing every account in %v", Regions))
	ss, err := awsx.NewSessions(ctx, awsx.Options{})
	if err != nil {
		return err
	}
	start := time.Now()
	snap, err := collect.Run(ctx, ss, collect.Options{Org: true, Regions: Regions, Concurrency: opts.Concurrency, ToolVersion: opts.ToolVersion})
	if err != nil {
		return err
	}
	res := audit.Run(snap, audit.Options{})
	fmt.Fprintf(opts.Log, "  %d accounts, %d findings, %d API calls in %s\n", len(snap.Accounts), len(res.Findings), ss.Stats.Calls(), time.Since(start).Round(time.Millisecond))
	return report.Write(opts.Out, opts.format(), report.Input{Result: res, Snapshot: snap, Now: time.Now().UTC(), ToolVersion: opts.ToolVersion, Color: opts.Color})
}

func (o Options) format() string {
	if o.Format == "" {
		return "table"
	}
	return o.Format
}

func step(w io.Writer, s string) { fmt.Fprintf(w, "==> %s\n", s) }
