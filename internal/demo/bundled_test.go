package demo

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

var update = flag.Bool("update", false, "re-collect the bundled demo snapshot from the emulator")

// TestBundledSnapshot checks the snapshot the offline demo audits: it reads,
// it covers every control for every account, and it shows the demo's
// weaknesses. With -update it is first re-collected from the emulator.
func TestBundledSnapshot(t *testing.T) {
	if *update {
		moto.Start(t)
		if _, err := fixture.BuildInsecure(context.Background(), moto.Config(t), Regions); err != nil {
			t.Fatal(err)
		}
		snap := audittest.Collect(t, collect.Options{Org: true, Regions: Regions})
		if err := snap.WriteFile(filepath.Join("data", "demo.snapshot.json.gz")); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join("data", "demo.snapshot.json.gz"))
		bundled = b
	}
	snap, err := BundledSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	res := audit.Run(snap, audit.Options{})
	if len(snap.Accounts) != 4 || res.Summary.Accounts != 4 {
		t.Fatalf("bundled snapshot has %d accounts, want 4", len(snap.Accounts))
	}
	for _, id := range []string{"iam.password-policy", "s3.bucket-not-public", "ec2.imdsv2", "vpc.no-admin-ports-open"} {
		if len(audittest.Find(res, id, "*", "*", "*")) == 0 {
			t.Errorf("%s: no finding in the bundled snapshot", id)
		}
		fails := 0
		for _, f := range audittest.Find(res, id, "*", "*", "*") {
			if f.Status == catalog.StatusFail {
				fails++
			}
		}
		if fails == 0 {
			t.Errorf("%s: the demo weakness is not a FAIL in the bundled snapshot:\n%s", id, audittest.Dump(res, id))
		}
	}
}
