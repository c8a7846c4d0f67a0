package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"

	"github.com/secure-baseline/baseline/internal/corpus"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// bundled is a snapshot of the demo organization, collected from the
// emulator by `go test ./internal/demo -run Bundled -update`, so the demo can
// show an audit on a machine without the emulator.
//
//go:embed data/demo.snapshot.json.gz
var bundled []byte

// BundledSnapshot returns the snapshot shipped in the binary.
func BundledSnapshot() (*snapshot.Snapshot, error) {
	return snapshot.Read(bytes.NewReader(bundled))
}

// offline runs the parts of the tour that need no emulator: the audit, the
// report and the handbook of the bundled snapshot, and detections and a
// who-changed answer over a generated day of CloudTrail.
func (t *tour) offline(ctx context.Context) error {
	snap, att := t.path("demo.snapshot.json.gz"), t.path("attestations.yaml")
	if err := os.WriteFile(snap, bundled, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(att, datedAttestations(), 0o644); err != nil {
		return err
	}
	t.step("auditing the bundled snapshot of the demo organization (offline)")
	if _, err := t.baseline(ctx, t.Out, []int{0, 3}, "audit", "--snapshot", snap, "--attestations", att); err != nil {
		return err
	}
	t.step("writing the HTML report and the handbook")
	if _, err := t.baseline(ctx, nil, []int{0, 3}, "audit", "--snapshot", snap, "--attestations", att, "--format", "html", "-o", t.path("report.html")); err != nil {
		return err
	}
	if _, err := t.baseline(ctx, nil, []int{0}, "docs", "--format", "html", "--snapshot", snap, "--attestations", att, "-o", t.path("handbook")); err != nil {
		return err
	}
	t.step("a generated day of CloudTrail with a few attacks: detections, index, who-changed")
	logs := t.path("cloudtrail")
	if _, err := corpus.Generate(logs, corpus.Options{Events: 20_000, Seed: 7, PerFile: 500, Interval: 60}); err != nil {
		return err
	}
	fmt.Fprintln(t.Out, "\nDetections in the day of CloudTrail:")
	if _, err := t.baseline(ctx, t.Out, []int{0}, "trail", "detect", logs); err != nil {
		return err
	}
	index := t.path("index")
	if _, err := t.baseline(ctx, nil, []int{0}, "trail", "ingest", logs, "--index", index); err != nil {
		return err
	}
	fmt.Fprintln(t.Out, "\nWho changed the organization trail (newest first):")
	_, err := t.baseline(ctx, t.Out, []int{0}, "trail", "query", "who-changed", "org-trail", "--index", index)
	return err
}
