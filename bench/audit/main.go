// Command audit benchmarks collection and audit of an organization on the
// local emulator behind a proxy that adds a fixed latency to every call.
//
// It reports the wall time against the lower bound measured in the same run:
// latency × max(longest chain of dependent calls, calls ÷ concurrency). A
// collection cannot finish faster than either the chain of calls that must
// happen one after the other, or the calls the budget lets through.
//
//	go run ./bench/audit -accounts 20 -latency 50ms -concurrency 8,64
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/secure-baseline/baseline/bench/internal/latency"
	"github.com/secure-baseline/baseline/bench/internal/measure"
	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/collect"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/emulator"
	"github.com/secure-baseline/baseline/internal/fixture"
)

// Result is what one run measured.
type Result struct {
	Accounts      int     `json:"accounts"`
	Regions       int     `json:"regions"`
	LatencyMS     int64   `json:"latency_ms"`
	Concurrency   int     `json:"concurrency"`
	WallSeconds   float64 `json:"wall_seconds"`
	AuditSeconds  float64 `json:"audit_seconds"`
	Calls         int64   `json:"api_calls"`
	Attempts      int64   `json:"http_attempts"`
	Duplicates    int64   `json:"duplicate_calls"`
	ChainDepth    int     `json:"longest_chain"`
	LowerBoundSec float64 `json:"lower_bound_seconds"`
	Ratio         float64 `json:"wall_over_lower_bound"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	EmulatorCPS   float64 `json:"emulator_calls_per_second"`
	DemandCPS     float64 `json:"demanded_calls_per_second"`
	Findings      int     `json:"findings"`
	ReadErrors    int     `json:"read_errors"`
}

func main() {
	accounts := flag.Int("accounts", 20, "member accounts in the organization")
	regions := flag.String("regions", "us-east-1,eu-west-1,us-west-2,ap-southeast-1", "regions to collect")
	lat := flag.Duration("latency", 50*time.Millisecond, "latency added to every call")
	conc := flag.String("concurrency", "8,64", "collection concurrency; a comma-separated list runs each on the same organization")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	flag.Parse()
	var concs []int
	for _, c := range strings.Split(*conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench: -concurrency %q: want positive integers\n", *conc)
			os.Exit(2)
		}
		concs = append(concs, n)
	}
	if err := run(*accounts, strings.Split(*regions, ","), *lat, concs, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(n int, regions []string, lat time.Duration, concs []int, asJSON bool) error {
	ctx := context.Background()
	srv, err := emulator.Start(ctx, emulator.Options{})
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
	fmt.Fprintf(os.Stderr, "building a %d-account organization in %d regions...\n", n, len(regions))
	if _, err := fixture.BuildScale(ctx, cfg, n, regions); err != nil {
		return err
	}
	capacity, err := measure.EmulatorCapacity(ctx, cfg, 16, 800)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "emulator capacity: %.0f calls/s (ec2:DescribeVpcs at concurrency 16, no added latency)\n", capacity)
	proxy, err := latency.Start(srv.URL, lat)
	if err != nil {
		return err
	}
	defer proxy.Stop()
	os.Setenv("AWS_ENDPOINT_URL", proxy.URL)
	for _, conc := range concs {
		if err := measureAt(ctx, n, regions, lat, conc, capacity, asJSON); err != nil {
			return err
		}
	}
	return nil
}

func measureAt(ctx context.Context, n int, regions []string, lat time.Duration, conc int, capacity float64, asJSON bool) error {
	ss, err := awsx.NewSessions(ctx, awsx.Options{})
	if err != nil {
		return err
	}
	ss.Stats.TrackDuplicates(true)
	fmt.Fprintf(os.Stderr, "collecting through a %s latency proxy at concurrency %d...\n", lat, conc)
	runtime.GC()
	start := time.Now()
	snap, err := collect.Run(ctx, ss, collect.Options{Org: true, Regions: regions, Concurrency: conc})
	if err != nil {
		return err
	}
	wall := time.Since(start)
	astart := time.Now()
	res := audit.Run(snap, audit.Options{})
	auditTime := time.Since(astart)

	r := Result{
		Accounts: len(snap.Accounts), Regions: len(regions), LatencyMS: lat.Milliseconds(), Concurrency: conc,
		WallSeconds: wall.Seconds(), AuditSeconds: auditTime.Seconds(),
		Calls: ss.Stats.Calls(), Attempts: ss.Stats.Attempts(), ChainDepth: ss.Stats.MaxChainDepth(),
		PeakRSSMB: measure.PeakRSSMB(), Findings: len(res.Findings), ReadErrors: len(snap.Errors),
		EmulatorCPS: capacity, DemandCPS: float64(conc) / lat.Seconds(),
	}
	dups := ss.Stats.Duplicates()
	for _, c := range dups {
		r.Duplicates += c
	}
	perBudget := int(math.Ceil(float64(r.Calls) / float64(conc)))
	r.LowerBoundSec = (time.Duration(max(r.ChainDepth, perBudget)) * lat).Seconds()
	r.Ratio = r.WallSeconds / r.LowerBoundSec
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Printf("\n== concurrency %d\n", conc)
	fmt.Printf("accounts × regions     %d × %d (+ management)\n", n, len(regions))
	fmt.Printf("wall time              %.2fs (audit of the snapshot: %s)\n", r.WallSeconds, auditTime.Round(time.Millisecond))
	fmt.Printf("API calls              %d (%d HTTP attempts), duplicates %d\n", r.Calls, r.Attempts, r.Duplicates)
	fmt.Printf("longest chain          %d calls × %s = %.2fs\n", r.ChainDepth, lat, (time.Duration(r.ChainDepth) * lat).Seconds())
	fmt.Printf("budget bound           %d calls ÷ %d × %s = %.2fs\n", r.Calls, conc, lat, (time.Duration(perBudget) * lat).Seconds())
	fmt.Printf("lower bound            %.2fs\n", r.LowerBoundSec)
	fmt.Printf("wall ÷ lower bound     %.2f (target ≤ 2)\n", r.Ratio)
	fmt.Printf("peak RSS               %.0f MB\n", r.PeakRSSMB)
	fmt.Printf("emulator               serves %.0f calls/s; this concurrency asks up to %.0f calls/s\n", r.EmulatorCPS, r.DemandCPS)
	if r.DemandCPS > r.EmulatorCPS {
		emuBound := float64(r.Calls) / r.EmulatorCPS
		fmt.Printf("emulator bound         %d calls ÷ %.0f calls/s = %.2fs: wall ÷ max(bounds) = %.2f\n", r.Calls, r.EmulatorCPS, emuBound, r.WallSeconds/max(emuBound, r.LowerBoundSec))
	}
	fmt.Printf("findings               %d (%d failed reads)\n", r.Findings, r.ReadErrors)
	if len(dups) > 0 {
		keys := make([]string, 0, len(dups))
		for k := range dups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Println("duplicate calls:")
		for _, k := range keys {
			fmt.Printf("  %s ×%d\n", k, dups[k])
		}
	}
	fmt.Println("busiest operations (calls, mean time per call):")
	per, took := ss.Stats.PerOperation(), ss.Stats.TimePerOperation()
	for _, op := range ss.Stats.TopOperations(10) {
		fmt.Printf("  %-45s %5d  %s\n", op, per[op], (took[op] / time.Duration(per[op])).Round(time.Millisecond))
	}
	slow := make([]string, 0, len(took))
	for op := range took {
		slow = append(slow, op)
	}
	sort.Slice(slow, func(i, j int) bool {
		return took[slow[i]]/time.Duration(per[slow[i]]) > took[slow[j]]/time.Duration(per[slow[j]])
	})
	fmt.Println("slowest operations (mean time per call):")
	for _, op := range slow[:min(8, len(slow))] {
		fmt.Printf("  %-45s %5d  %s\n", op, per[op], (took[op] / time.Duration(per[op])).Round(time.Millisecond))
	}
	return nil
}
