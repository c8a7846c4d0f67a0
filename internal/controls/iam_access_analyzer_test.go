package controls_test

import (
	"testing"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
)

// The emulator has no Access Analyzer: ERROR naming the operation.
func accessAnalyzerMoto(t *testing.T) {
	res := audittest.Audit(t, audittest.Collect(t, collect.Options{Regions: []string{"us-east-1"}, Services: []string{"access-analyzer"}}),
		catalog.Defaults(), "iam.access-analyzer")
	audittest.Expect(t, res, "iam.access-analyzer", "*", "us-east-1", "", catalog.StatusError, "access-analyzer:ListAnalyzers", "not supported by the endpoint")
}

func TestAccessAnalyzerCoverage(t *testing.T) {
	analyzers := func(as ...snapshot.Analyzer) *snapshot.AccessAnalyzer { return &snapshot.AccessAnalyzer{Analyzers: as} }
	org := snapshot.Analyzer{Name: "org", Type: "ORGANIZATION", Status: "ACTIVE"}
	snap := orgSnapshot(regionAccount("333333333333", "security", &snapshot.Region{AccessAnalyzer: analyzers(org)}),
		regionAccount("222222222222", "prod", &snapshot.Region{AccessAnalyzer: analyzers()}),
		regionAccount("444444444444", "dev", &snapshot.Region{AccessAnalyzer: analyzers(snapshot.Analyzer{Name: "mine", Type: "ACCOUNT", Status: "ACTIVE"})}))
	res := audittest.Audit(t, snap, catalog.Defaults(), "iam.access-analyzer")
	audittest.Expect(t, res, "iam.access-analyzer", "222222222222", "us-east-1", "", catalog.StatusPass,
		"covered by organization analyzer org in the security account 333333333333 (security)")
	audittest.Expect(t, res, "iam.access-analyzer", "333333333333", "us-east-1", "", catalog.StatusPass, "organization analyzer org is active")
	audittest.Expect(t, res, "iam.access-analyzer", "444444444444", "us-east-1", "", catalog.StatusPass, "account analyzer mine is active")

	// Unused-access analyzers and disabled ones do not count; an unreadable
	// security account leaves the member undecided.
	snap = orgSnapshot(regionAccount("333333333333", "security", &snapshot.Region{AccessAnalyzer: analyzers(
		snapshot.Analyzer{Name: "unused", Type: "ORGANIZATION_UNUSED_ACCESS", Status: "ACTIVE"})}),
		regionAccount("222222222222", "prod", &snapshot.Region{AccessAnalyzer: analyzers(snapshot.Analyzer{Name: "off", Type: "ACCOUNT", Status: "DISABLED"})}))
	res = audittest.Audit(t, snap, catalog.Defaults(), "iam.access-analyzer")
	audittest.Expect(t, res, "iam.access-analyzer", "222222222222", "us-east-1", "", catalog.StatusFail, "no active external-access analyzer covers us-east-1")
	snap.Accounts[0].Regions["us-east-1"].AccessAnalyzer = nil
	snap.Errors = []snapshot.Error{denial("333333333333", "access-analyzer:ListAnalyzers", "")}
	res = audittest.Audit(t, snap, catalog.Defaults(), "iam.access-analyzer")
	audittest.Expect(t, res, "iam.access-analyzer", "222222222222", "us-east-1", "", catalog.StatusError, "security account's analyzers are unknown")
}
