package demo

import (
	"bytes"
	_ "embed"
	"fmt"
	"time"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/report"
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

// offline runs the parts of the tour that need no emulator.
func offline(opts Options) error {
	step(opts.Log, "auditing the bundled snapshot of the demo organization (offline)")
	snap, err := BundledSnapshot()
	if err != nil {
		return fmt.Errorf("bundled snapshot: %w", err)
	}
	res := audit.Run(snap, audit.Options{})
	fmt.Fprintf(opts.Log, "  %d accounts, %d findings (snapshot collected %s)\n", len(snap.Accounts), len(res.Findings), snap.CollectedAt.Format(time.RFC3339))
	return report.Write(opts.Out, opts.format(), report.Input{Result: res, Snapshot: snap, Now: time.Now().UTC(), ToolVersion: opts.ToolVersion, Color: opts.Color})
}
