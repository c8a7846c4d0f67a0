// Command apply benchmarks plan and apply of the baseline on an organization
// in the local emulator, behind a proxy that adds a fixed latency to every
// call.
//
// It reports apply's wall time against the lower bound measured in the same
// run: latency × max(longest chain of dependent calls, calls ÷ concurrency),
// where the chain follows the plan's dependencies (key → bucket → trail) and
// the calls inside each change. It also checks that a plan of the converged
// organization costs no more API calls than an audit of it.
//
//	go run ./bench/apply -accounts 20 -latency 50ms -concurrency 32
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/secure-baseline/baseline/bench/internal/latency"
	"github.com/secure-baseline/baseline/bench/internal/measure"
	"github.com/secure-baseline/baseline/internal/apply"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/emulator"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Result is what one run measured.
type Result struct {
	Accounts    int     `json:"accounts"`
	Regions     int     `json:"regions"`
	LatencyMS   int64   `json:"latency_ms"`
	Concurrency int     `json:"concurrency"`
	Controls    int     `json:"controls"`
	Changes     int     `json:"changes"`
	PlanDepth   int     `json:"plan_dependency_depth"`
	PlanSeconds float64 `json:"plan_seconds"`
	// Apply of the plan.
	ApplySeconds  float64 `json:"apply_seconds"`
	ApplyCalls    int64   `json:"apply_api_calls"`
	ChainDepth    int     `json:"apply_longest_chain"`
	LowerBoundSec float64 `json:"apply_lower_bound_seconds"`
	Ratio         float64 `json:"apply_over_lower_bound"`
	Failed        int     `json:"failed_changes"`
	Retried       int     `json:"retried_changes"`
	EmulatorBound float64 `json:"emulator_bound_seconds"`
	RatioMaxBound float64 `json:"apply_over_max_bound"`
	// The converged organization.
	ReplanChanges int     `json:"replan_changes"`
	ReplanCalls   int64   `json:"replan_api_calls"`
	AuditCalls    int64   `json:"audit_api_calls"`
	CallRatio     float64 `json:"replan_calls_over_audit_calls"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	EmulatorCPS   float64 `json:"emulator_calls_per_second"`
}

func main() {
	accounts := flag.Int("accounts", 20, "member accounts in the organization (at least 4: security, log-archive, shared-services, workloads)")
	regions := flag.String("regions", "us-east-1,eu-west-1,us-west-2,ap-southeast-1", "regions of the baseline")
	lat := flag.Duration("latency", 50*time.Millisecond, "latency added to every call")
	conc := flag.Int("concurrency", 32, "concurrency of plan and apply")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	flag.Parse()
	if *accounts < 4 {
		fmt.Fprintln(os.Stderr, "bench: -accounts must be at least 4")
		os.Exit(2)
	}
	if err := run(*accounts, strings.Split(*regions, ","), *lat, *conc, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(n int, regions []string, lat time.Duration, conc int, asJSON bool) error {
	ctx := context.Background()
	srv, err := emulator.Start(ctx, emulator.Options{LoadManagedPolicies: true})
	if err != nil {
		return err
	}
	defer srv.Stop()
	for k, v := range srv.Env() {
		os.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	members := append([]fixture.Member(nil), fixture.BaselineMembers...)
	settings := &catalog.Settings{SecurityAccount: "security", LogArchiveAccount: "log-archive", SharedServicesAccount: "shared-services",
		AllowedRegions: regions, AccountCategories: map[string]string{"workload": "prod"}, AlertEmails: []string{"security-alerts@example.com"}}
	for i := len(members); i < n; i++ {
		name := fmt.Sprintf("workload-%02d", i)
		members = append(members, fixture.Member{Name: name, Email: name + "@example.com", OU: "Workloads"})
		settings.AccountCategories[name] = "prod"
	}
	settings.Complete()
	fmt.Fprintf(os.Stderr, "building a %d-account organization...\n", n)
	if _, err := fixture.CreateOrganization(ctx, cfg, members); err != nil {
		return err
	}
	capacity, err := measure.EmulatorCapacity(ctx, cfg, 16, 800)
	if err != nil {
		return err
	}
	proxy, err := latency.Start(srv.URL, lat)
	if err != nil {
		return err
	}
	defer proxy.Stop()
	os.Setenv("AWS_ENDPOINT_URL", proxy.URL)

	disabled := map[string]bool{}
	for id := range emulator.CannotApply {
		disabled[id] = true
	}
	opts := plan.Options{Settings: settings, Disabled: disabled}
	controls, err := plan.Controls(opts)
	if err != nil {
		return err
	}
	r := Result{Accounts: n, Regions: len(regions), LatencyMS: lat.Milliseconds(), Concurrency: conc, Controls: len(controls), EmulatorCPS: capacity}

	fmt.Fprintf(os.Stderr, "planning %d controls through a %s latency proxy at concurrency %d...\n", len(controls), lat, conc)
	start := time.Now()
	p, _, err := planOnce(ctx, regions, controls, opts, conc)
	if err != nil {
		return err
	}
	r.PlanSeconds = time.Since(start).Seconds()
	r.Changes = len(p.Changes)
	if r.PlanDepth, err = apply.Depth(p.Changes); err != nil {
		return err
	}

	fmt.Fprintf(os.Stderr, "applying %d changes...\n", len(p.Changes))
	ss, err := awsx.NewSessions(ctx, awsx.Options{})
	if err != nil {
		return err
	}
	runtime.GC()
	start = time.Now()
	res, err := apply.Run(ctx, p, apply.SessionConfigs(ss, settings.HomeRegion), apply.Options{Concurrency: conc})
	if err != nil {
		return err
	}
	r.ApplySeconds = time.Since(start).Seconds()
	r.ApplyCalls, r.ChainDepth, r.Failed = ss.Stats.Calls(), ss.Stats.MaxChainDepth(), res.Failed+res.Skipped
	for _, ev := range res.Events {
		if ev.Attempts > 1 {
			r.Retried++
		}
		if ev.Status != apply.Done {
			fmt.Fprintf(os.Stderr, "  %s %s: %v\n", ev.Status, ev.Change.ID, ev.Err)
		}
	}
	perBudget := int(math.Ceil(float64(r.ApplyCalls) / float64(conc)))
	r.LowerBoundSec = (time.Duration(max(r.ChainDepth, perBudget)) * lat).Seconds()
	r.Ratio = r.ApplySeconds / r.LowerBoundSec
	// One Python process serves the emulator: above its capacity it, not
	// apply, sets the pace, as the audit benchmark also reports.
	r.EmulatorBound = float64(r.ApplyCalls) / capacity
	r.RatioMaxBound = r.ApplySeconds / max(r.LowerBoundSec, r.EmulatorBound)

	fmt.Fprintln(os.Stderr, "planning the converged organization, then auditing it...")
	again, replanCalls, err := planOnce(ctx, regions, controls, opts, conc)
	if err != nil {
		return err
	}
	r.ReplanChanges, r.ReplanCalls = len(again.Changes), replanCalls
	_, auditCalls, err := collectOnce(ctx, regions, nil, conc)
	if err != nil {
		return err
	}
	r.AuditCalls = auditCalls
	r.CallRatio = float64(r.ReplanCalls) / float64(r.AuditCalls)
	r.PeakRSSMB = measure.PeakRSSMB()
	return report(r, lat, asJSON)
}

// planOnce collects what the controls read and plans them, counting calls.
func planOnce(ctx context.Context, regions []string, controls []*catalog.Control, opts plan.Options, conc int) (*plan.Plan, int64, error) {
	snap, calls, err := collectOnce(ctx, regions, plan.Services(controls), conc)
	if err != nil {
		return nil, 0, err
	}
	p, err := plan.Build(snap, opts)
	return p, calls, err
}

func collectOnce(ctx context.Context, regions, services []string, conc int) (*snapshot.Snapshot, int64, error) {
	ss, err := awsx.NewSessions(ctx, awsx.Options{})
	if err != nil {
		return nil, 0, err
	}
	snap, err := collect.Run(ctx, ss, collect.Options{Org: true, Regions: regions, Services: services, Concurrency: conc})
	return snap, ss.Stats.Calls(), err
}

func report(r Result, lat time.Duration, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Printf("\n== apply of %d controls, concurrency %d\n", r.Controls, r.Concurrency)
	fmt.Printf("accounts × regions       %d × %d (+ management)\n", r.Accounts, r.Regions)
	fmt.Printf("plan                     %d changes in %.2fs; longest dependency chain %d changes\n", r.Changes, r.PlanSeconds, r.PlanDepth)
	fmt.Printf("apply wall time          %.2fs, %d failed or skipped, %d retried\n", r.ApplySeconds, r.Failed, r.Retried)
	fmt.Printf("apply API calls          %d; longest chain of dependent calls %d × %s = %.2fs\n", r.ApplyCalls, r.ChainDepth, lat, (time.Duration(r.ChainDepth) * lat).Seconds())
	fmt.Printf("budget bound             %d calls ÷ %d × %s = %.2fs\n", r.ApplyCalls, r.Concurrency, lat, float64(r.ApplyCalls)/float64(r.Concurrency)*lat.Seconds())
	fmt.Printf("apply ÷ lower bound      %.2f (target ≤ 2)\n", r.Ratio)
	fmt.Printf("emulator bound           %d calls ÷ %.0f calls/s = %.2fs: apply ÷ max(bounds) = %.2f\n", r.ApplyCalls, r.EmulatorCPS, r.EmulatorBound, r.RatioMaxBound)
	fmt.Printf("re-plan                  %d changes (want 0), %d API calls\n", r.ReplanChanges, r.ReplanCalls)
	fmt.Printf("audit of the same org    %d API calls: re-plan ÷ audit = %.2f (target ≤ 1)\n", r.AuditCalls, r.CallRatio)
	fmt.Printf("peak RSS                 %.0f MB\n", r.PeakRSSMB)
	fmt.Printf("emulator                 serves %.0f calls/s without latency\n", r.EmulatorCPS)
	return nil
}
