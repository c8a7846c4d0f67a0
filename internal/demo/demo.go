// Package demo is the guided tour behind `baseline demo`: it builds a
// deliberately insecure organization on the local AWS emulator and runs the
// product's own commands over it, as a person would type them: audit, plan,
// apply, audit again, the handbook and the report, then a day of CloudTrail
// streamed through `trail watch`.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/emulator"
	"github.com/secure-baseline/baseline/internal/fixture"
)

// Regions the demo organization is assessed in.
var Regions = []string{"us-east-1", "eu-west-1"}

// attestations stand for the manual processes a team would have done and
// attested (root MFA, contact details...), so that the maturity stage can
// rise with what apply sets up.
//
//go:embed data/attestations.yaml
var attestations []byte

// datedAttestations are the demo's attestations, made today.
func datedAttestations() []byte {
	return bytes.ReplaceAll(attestations, []byte("TODAY"), []byte(time.Now().UTC().Format(time.DateOnly)))
}

// Command runs one baseline command line with the given standard output and
// error, and returns its exit code. The CLI passes itself.
type Command func(ctx context.Context, stdout, stderr io.Writer, args ...string) int

// Options of a demo run.
type Options struct {
	Out, Log io.Writer
	// Dir receives the files of the tour: config, plan, reports, handbook, index.
	Dir         string
	Run         Command
	Concurrency int
}

// Run performs the tour. It says what it does on Log and writes results on Out.
func Run(ctx context.Context, opts Options) error {
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	t := &tour{Options: opts, start: time.Now()}
	if !emulator.Available() {
		fmt.Fprintf(opts.Log, "%v\nskipped: building the demo organization, plan, apply and the live CloudTrail stream (they need the emulator)\n", emulator.ErrNotInstalled)
		return t.offline(ctx)
	}
	return t.live(ctx)
}

type tour struct {
	Options
	start time.Time
}

func (t *tour) step(format string, args ...any) {
	fmt.Fprintf(t.Log, "\n==> [%s] %s\n", time.Since(t.start).Round(time.Second), fmt.Sprintf(format, args...))
}

func (t *tour) path(name string) string { return filepath.Join(t.Dir, name) }

// baseline runs a command, echoing it, and fails on an exit code not in ok.
func (t *tour) baseline(ctx context.Context, stdout io.Writer, ok []int, args ...string) (int, error) {
	return t.baselineErr(ctx, stdout, t.Log, ok, args...)
}

// baselineErr is baseline with the command's standard error sent to stderr.
func (t *tour) baselineErr(ctx context.Context, stdout, stderr io.Writer, ok []int, args ...string) (int, error) {
	fmt.Fprintf(t.Log, "$ baseline %s\n", strings.Join(args, " "))
	if stdout == nil {
		stdout = io.Discard
	}
	code := t.Run(ctx, stdout, stderr, args...)
	for _, c := range ok {
		if code == c {
			return code, nil
		}
	}
	return code, fmt.Errorf("baseline %s: exit %d", args[0], code)
}

func (t *tour) live(ctx context.Context) error {
	t.step("starting the AWS emulator (moto) on loopback")
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
	t.step("building a deliberately insecure 4-account organization through the AWS APIs")
	org, err := fixture.BuildInsecure(ctx, cfg, Regions)
	if err != nil {
		return err
	}
	fmt.Fprintf(t.Log, "organization %s: management %s, security %s, log-archive %s, workload %s\n",
		org.ID, org.Management, org.AccountID("security"), org.AccountID("log-archive"), org.AccountID("workload"))

	regions := strings.Join(Regions, ",")
	conc := fmt.Sprint(t.Concurrency)
	cfgPath, attPath := t.path("baseline.yaml"), t.path("attestations.yaml")
	t.step("writing baseline.yaml from the live organization")
	if _, err := t.baseline(ctx, nil, []int{0}, "init", "--regions", regions, "-o", cfgPath); err != nil {
		return err
	}
	if err := completeConfig(cfgPath); err != nil {
		return err
	}
	if err := os.WriteFile(attPath, datedAttestations(), 0o644); err != nil {
		return err
	}

	t.step("auditing every account (before)")
	audit := func(name string) (*audit.Result, error) {
		path := t.path(name)
		if _, err := t.baseline(ctx, nil, []int{0, 3}, "audit", "--org", "--regions", regions, "-f", cfgPath, "--attestations", attPath,
			"--concurrency", conc, "--format", "json", "-o", path, "--save-snapshot", strings.TrimSuffix(path, ".json")+".snapshot.json.gz"); err != nil {
			return nil, err
		}
		return readResult(path)
	}
	before, err := audit("audit-before.json")
	if err != nil {
		return err
	}
	t.summary(before)

	t.step("planning the baseline")
	var planText bytes.Buffer
	if _, err := t.baseline(ctx, &planText, []int{0, 4}, "plan", "-f", cfgPath, "--concurrency", conc, "--out", t.path("plan.json")); err != nil {
		return err
	}
	t.excerpt(planText.String(), 14)

	t.step("applying it (each change is in apply.log)")
	var applyLog bytes.Buffer
	_, err = t.baselineErr(ctx, nil, &applyLog, []int{0, 1}, "apply", t.path("plan.json"), "-f", cfgPath, "--concurrency", conc, "--auto-approve")
	if werr := os.WriteFile(t.path("apply.log"), applyLog.Bytes(), 0o644); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSpace(applyLog.String()), "\n")
	fmt.Fprintln(t.Log, lines[len(lines)-1])

	t.step("auditing again (after)")
	after, err := audit("audit-after.json")
	if err != nil {
		return err
	}
	t.summary(after)
	t.stages(before, after)

	t.step("writing the HTML report and the handbook, with the live status")
	snap := t.path("audit-after.snapshot.json.gz")
	if _, err := t.baseline(ctx, nil, []int{0, 3}, "audit", "--snapshot", snap, "-f", cfgPath, "--attestations", attPath, "--format", "html", "-o", t.path("report.html")); err != nil {
		return err
	}
	if _, err := t.baseline(ctx, nil, []int{0}, "docs", "--format", "html", "--snapshot", snap, "--attestations", attPath, "-f", cfgPath, "-o", t.path("handbook")); err != nil {
		return err
	}

	t.step("a day of CloudTrail with a few attacks, delivered to the trail bucket apply made")
	day, err := publishDay(ctx, org, t.path("cloudtrail"))
	if err != nil {
		return err
	}
	fmt.Fprintf(t.Log, "%d events in %d files → s3://%s (the notifications go to %s)\n", day.events, day.files, day.bucket, day.queue)

	t.step("streaming it through trail watch, with the queue account's credentials: detections, alerts, index")
	index := t.path("index")
	var detections bytes.Buffer
	restore, err := asAccount(ctx, org, day.queueAccount)
	if err != nil {
		return err
	}
	_, err = t.baseline(ctx, &detections, []int{0}, "trail", "watch", "--queue", day.queue, "--region", day.queueRegion, "--once", "--wait-time", "1s", "--index", index,
		"--state-dir", t.path("watch-state"), "--dead-letter", t.path("alerts.dead.jsonl"), "--group-window", "1s")
	restore()
	if err != nil {
		return err
	}
	fmt.Fprintln(t.Out, "\nDetections in the day of CloudTrail (alerts, grouped):")
	printAlerts(t.Out, detections.String())

	t.step("who changed the organization trail?")
	fmt.Fprintln(t.Out, "\nWho changed the organization trail (newest first):")
	if _, err := t.baseline(ctx, t.Out, []int{0}, "trail", "query", "who-changed", "org-trail", "--index", index); err != nil {
		return err
	}
	fmt.Fprintf(t.Log, "\ndone in %s. Open %s and %s.\n", time.Since(t.start).Round(time.Second),
		t.path("report.html"), filepath.Join(t.path("handbook"), "handbook.html"))
	return nil
}

// completeConfig answers what init left to a person: the workload account's
// category and who receives the alerts; and leaves out the controls the
// emulator cannot apply.
func completeConfig(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text := strings.Replace(string(b), "  accounts:\n", "  accounts:\n    \"workload\": {category: prod, owner: team-a}\n", 1)
	text = strings.Replace(text, "  emails: []", "  emails: [security-alerts@example.com]", 1)
	text += "\n# Left out of the demo: the emulator cannot perform these (docs/emulator-gaps.md).\ncontrols:\n"
	for _, id := range catalog.SortedKeys(emulator.CannotApply) {
		text += fmt.Sprintf("  %s: {enabled: false}  # %s\n", id, emulator.CannotApply[id])
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

func readResult(path string) (*audit.Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r audit.Result
	return &r, json.Unmarshal(b, &r)
}

func (t *tour) summary(r *audit.Result) {
	s := r.Summary
	fmt.Fprintf(t.Log, "%d accounts: %d PASS, %d FAIL, %d ERROR, %d MANUAL, %d SKIP\n", s.Accounts, s.Pass, s.Fail, s.Error, s.Manual, s.Skip)
}

// stages prints each account's maturity stage before and after apply.
func (t *tour) stages(before, after *audit.Result) {
	fmt.Fprintln(t.Out, "\nMaturity stage per account (foundational stages passed):")
	ids := make([]string, 0, len(after.Summary.Maturity))
	for id := range after.Summary.Maturity {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(t.Out, "  %s  F%d → F%d\n", id, before.Summary.Maturity[id], after.Summary.Maturity[id])
	}
}

// printAlerts shows the JSON alerts `trail watch` printed as a table.
func printAlerts(w io.Writer, jsonl string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  LEVEL\tRULE\tCOUNT\tACCOUNT\tPRINCIPAL")
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var a struct {
			Level     string `json:"level"`
			Title     string `json:"rule_title"`
			Count     int    `json:"count"`
			Account   string `json:"account_id"`
			Principal string `json:"principal_arn"`
		}
		if json.Unmarshal([]byte(line), &a) == nil && a.Title != "" {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\n", a.Level, a.Title, a.Count, a.Account, a.Principal)
		}
	}
	tw.Flush()
}

func (t *tour) excerpt(s string, lines int) {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = append(all[:lines], fmt.Sprintf("… %d more lines in the plan", len(all)-lines))
	}
	fmt.Fprintln(t.Log, strings.Join(all, "\n"))
}
