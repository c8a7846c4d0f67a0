// Package audittest runs collection and audit against the emulator and
// asserts on findings, for the per-control integration tests.
package audittest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Collect runs collection with the environment's credentials (the emulator's
// after moto.Start).
func Collect(t testing.TB, opts collect.Options) *snapshot.Snapshot {
	t.Helper()
	ctx := context.Background()
	ss, err := awsx.NewSessions(ctx, awsx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = 16
	}
	snap, err := collect.Run(ctx, ss, opts)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// Audit evaluates the given controls (all when none) over snap.
func Audit(t testing.TB, snap *snapshot.Snapshot, settings *catalog.Settings, ids ...string) *audit.Result {
	t.Helper()
	var controls []*catalog.Control
	for _, id := range ids {
		c, ok := catalog.Get(id)
		if !ok {
			t.Fatalf("unknown control %q", id)
		}
		controls = append(controls, c)
	}
	return audit.Run(snap, audit.Options{Settings: settings, Controls: controls})
}

// Find returns the findings of control id for account, region and resource
// ("*" matches anything).
func Find(res *audit.Result, id, account, region, resource string) []catalog.Finding {
	var out []catalog.Finding
	for _, f := range res.Findings {
		if f.ControlID == id && match(account, f.AccountID) && match(region, f.Region) && match(resource, f.Resource) {
			out = append(out, f)
		}
	}
	return out
}

func match(want, got string) bool { return want == "*" || want == got }

// Expect asserts that exactly one finding matches and has the wanted status,
// and that its reason contains every given fragment.
func Expect(t testing.TB, res *audit.Result, id, account, region, resource string, want catalog.Status, reasonHas ...string) catalog.Finding {
	t.Helper()
	fs := Find(res, id, account, region, resource)
	if len(fs) != 1 {
		t.Fatalf("%s account=%s region=%s resource=%s: %d findings, want 1:\n%s", id, account, region, resource, len(fs), Dump(res, id))
	}
	f := fs[0]
	if f.Status != want {
		t.Fatalf("%s account=%s region=%s resource=%s: status %s (%s), want %s", id, account, region, resource, f.Status, f.Reason, want)
	}
	for _, frag := range reasonHas {
		if !strings.Contains(f.Reason, frag) {
			t.Fatalf("%s: reason %q does not contain %q", id, f.Reason, frag)
		}
	}
	return f
}

// Dump formats the findings of a control for failure messages.
func Dump(res *audit.Result, id string) string {
	var b strings.Builder
	for _, f := range res.Findings {
		if id == "" || f.ControlID == id {
			fmt.Fprintf(&b, "  %s %s %s %q %s: %s\n", f.ControlID, f.AccountID, f.Region, f.Resource, f.Status, f.Reason)
		}
	}
	return b.String()
}
