// Package applytest runs plan and apply against the emulator: it builds the
// 5-account organization, plans controls, applies the plan and checks that
// the organization converged (a second plan is empty and the audit passes).
package applytest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/secure-baseline/baseline/internal/apply"
	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// Regions are the regions of the test organization.
var Regions = []string{"us-east-1", "eu-west-1"}

// Env is a 5-account organization in the emulator and the settings its
// baseline.yaml would give.
type Env struct {
	Org      *fixture.Org
	Settings *catalog.Settings
	Sessions *awsx.Sessions
}

// NewOrg starts (resets) the emulator and builds the organization.
func NewOrg(t testing.TB) *Env {
	t.Helper()
	moto.Start(t)
	ctx := context.Background()
	org, err := fixture.CreateOrganization(ctx, moto.Config(t), fixture.BaselineMembers)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := awsx.NewSessions(ctx, awsx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &catalog.Settings{
		SecurityAccount: "security", LogArchiveAccount: "log-archive", SharedServicesAccount: "shared-services",
		AllowedRegions:    Regions,
		AccountCategories: map[string]string{"workload": "prod"},
		AlertEmails:       []string{"security-alerts@example.com"},
	}
	s.Complete()
	return &Env{Org: org, Settings: s, Sessions: ss}
}

// Config returns a config acting in account name ("management", "security",
// "log-archive", "shared-services", "workload") in region.
func (e *Env) Config(name, region string) aws.Config {
	return awsx.InRegion(e.Org.Config(e.Org.AccountID(name)), region)
}

// Collect reads the organization for the given controls (all when none).
func (e *Env) Collect(t testing.TB, ids ...string) *snapshot.Snapshot {
	t.Helper()
	opts := collect.Options{Org: true, Regions: Regions, Concurrency: 16}
	if len(ids) > 0 {
		opts.Services = plan.Services(controls(t, ids))
	}
	snap, err := collect.Run(context.Background(), e.Sessions, opts)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// Plan collects and plans the given controls.
func (e *Env) Plan(t testing.TB, ids ...string) *plan.Plan {
	t.Helper()
	p, err := plan.Build(e.Collect(t, ids...), plan.Options{Settings: e.Settings, Targets: ids})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Apply applies p and fails the test on any change that did not succeed.
func (e *Env) Apply(t testing.TB, p *plan.Plan) *apply.Result {
	t.Helper()
	res, err := apply.Run(context.Background(), p, e.Configs(), apply.Options{Concurrency: 16, RetryFor: 20 * time.Second, Backoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range res.Events {
		if ev.Status != apply.Done {
			t.Errorf("%s %s: %s: %v", ev.Change.Action.Symbol(), ev.Change.ID, ev.Status, ev.Err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return res
}

// Configs gives apply the credentials of each account through the sessions.
func (e *Env) Configs() apply.Configs { return apply.SessionConfigs(e.Sessions, e.Settings.HomeRegion) }

// Converge plans the controls, expects changes, applies them, and checks
// that a second plan is empty and that every finding of the controls is
// PASS (or SKIP). It returns the first plan.
func (e *Env) Converge(t testing.TB, ids ...string) *plan.Plan {
	t.Helper()
	first := e.Plan(t, ids...)
	if first.Empty() {
		t.Fatalf("plan of %v on a fresh organization has no changes (blocked: %v)", ids, first.Blocked)
	}
	e.Apply(t, first)
	second := e.Plan(t, ids...)
	if !second.Empty() {
		for _, c := range second.Changes {
			t.Errorf("still planned after apply: %s %s before=%v after=%v", c.Action.Symbol(), c.ID, c.Before, c.After)
		}
		t.FailNow()
	}
	res := audit.Run(e.Collect(t, ids...), audit.Options{Settings: e.Settings, Controls: controls(t, ids)})
	for _, f := range res.Findings {
		if f.Status != catalog.StatusPass && f.Status != catalog.StatusSkip {
			t.Errorf("after apply: %s %s %s %s: %s %s", f.ControlID, f.AccountID, f.Region, f.Resource, f.Status, f.Reason)
		}
	}
	return first
}

func controls(t testing.TB, ids []string) []*catalog.Control {
	t.Helper()
	var out []*catalog.Control
	for _, id := range ids {
		c, ok := catalog.Get(id)
		if !ok {
			t.Fatalf("unknown control %q", id)
		}
		out = append(out, c)
	}
	return out
}

// Changes returns the changes of p whose id contains every fragment.
func Changes(p *plan.Plan, fragments ...string) []catalog.Change {
	var out []catalog.Change
	for _, c := range p.Changes {
		ok := true
		for _, f := range fragments {
			ok = ok && strings.Contains(c.ID, f)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}
