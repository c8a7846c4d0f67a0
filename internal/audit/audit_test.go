package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/attest"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Test controls are registered under a "test." prefix with stages that let
// the maturity computation be observed.
var (
	passF1 = catalog.Register(&catalog.Control{ID: "test.pass-f1", Title: "t", Stage: "F1", Kind: catalog.Detective,
		Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Low, Rationale: "r", Steps: "s",
		Reads: []string{"iam:GetThing"},
		Check: func(e *catalog.Eval) { e.Pass("", "ok") }})
	failF3 = catalog.Register(&catalog.Control{ID: "test.fail-f3", Title: "t", Stage: "F3", Kind: catalog.Detective,
		Scope: catalog.ScopeRegion, Unit: catalog.PerRegion, Severity: catalog.High, Rationale: "r", Steps: "s",
		Check: func(e *catalog.Eval) {
			if e.Region == "eu-west-1" {
				e.Fail("vpc-1", "bad")
				return
			}
			e.Pass("", "ok")
		}})
	silent = catalog.Register(&catalog.Control{ID: "test.silent", Title: "t", Stage: "M1", Kind: catalog.Detective,
		Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Low, Rationale: "r", Steps: "s",
		Check: func(e *catalog.Eval) {}})
	panics = catalog.Register(&catalog.Control{ID: "test.panics", Title: "t", Stage: "M1", Kind: catalog.Detective,
		Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Low, Rationale: "r", Steps: "s",
		Check: func(e *catalog.Eval) { _ = e.Account.Global.IAM.Users[3] }})
	manualF2 = catalog.Register(&catalog.Control{ID: "test.manual-f2", Title: "t", Stage: "F2", Kind: catalog.Manual,
		Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Medium, Rationale: "r", Steps: "do it\nthen more"})
)

func testSnapshot() *snapshot.Snapshot {
	regions := func() map[string]*snapshot.Region {
		return map[string]*snapshot.Region{"us-east-1": {}, "eu-west-1": {}}
	}
	return &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Organization: &snapshot.Organization{ID: "o-1", ManagementAccountID: "111111111111", Member: true, Full: true},
		Accounts: []*snapshot.Account{
			{AccountID: "111111111111", Regions: regions()},
			{AccountID: "222222222222", Regions: regions()},
			{AccountID: "333333333333", Unreachable: "assume arn:aws:iam::333333333333:role/OrganizationAccountAccessRole: AccessDenied"},
		},
		Errors: []snapshot.Error{{AccountID: "222222222222", Service: "iam", Operation: "GetThing", Code: "AccessDenied", Class: "access_denied", Message: "no"}},
	}
}

func TestErrorsAreNeverPassOrFail(t *testing.T) {
	res := Run(testSnapshot(), Options{Controls: []*catalog.Control{passF1, failF3, silent, panics}})
	got := map[string]catalog.Finding{}
	for _, f := range res.Findings {
		got[f.ControlID+"/"+f.AccountID+"/"+f.Region] = f
	}
	want := []struct {
		key    string
		status catalog.Status
		reason string
	}{
		{"test.pass-f1/111111111111/", catalog.StatusPass, "ok"},
		{"test.pass-f1/222222222222/", catalog.StatusError, "grant iam:GetThing"},
		{"test.pass-f1/333333333333/", catalog.StatusError, "could not be assessed"},
		{"test.fail-f3/333333333333/", catalog.StatusError, "could not be assessed"},
		{"test.fail-f3/111111111111/eu-west-1", catalog.StatusFail, "bad"},
		{"test.silent/111111111111/", catalog.StatusError, "no result"},
		{"test.panics/111111111111/", catalog.StatusError, "check failed"},
	}
	for _, w := range want {
		f, ok := got[w.key]
		if !ok {
			t.Errorf("%s: no finding", w.key)
			continue
		}
		if f.Status != w.status || !strings.Contains(f.Reason, w.reason) {
			t.Errorf("%s: %s %q, want %s containing %q", w.key, f.Status, f.Reason, w.status, w.reason)
		}
	}
}

func TestEveryUnitHasAFinding(t *testing.T) {
	res := Run(testSnapshot(), Options{Controls: []*catalog.Control{passF1, failF3}})
	// pass-f1: 3 accounts; fail-f3: 2 accounts x 2 regions + 1 unreachable.
	if len(res.Findings) != 3+5 {
		t.Fatalf("findings = %d, want 8", len(res.Findings))
	}
}

func TestManualAttestations(t *testing.T) {
	set, err := attest.Parse([]byte(`attestations:
  - {control: test.manual-f2, account: "111111111111", by: alice, date: 2026-01-01, evidence: "https://wiki/x"}
  - {control: test.manual-f2, account: "*", by: bob, date: 2025-01-01, expires: 2025-06-01}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	snap := testSnapshot()
	snap.Accounts = append(snap.Accounts, &snapshot.Account{AccountID: "444444444444"})
	res := Run(snap, Options{Controls: []*catalog.Control{manualF2}, Attestations: set})
	want := map[string]catalog.Status{"111111111111": catalog.StatusPass, "222222222222": catalog.StatusFail, "444444444444": catalog.StatusFail}
	for _, f := range res.Findings {
		if w, ok := want[f.AccountID]; ok && f.Status != w {
			t.Errorf("%s: %s (%s), want %s", f.AccountID, f.Status, f.Reason, w)
		}
	}
	res = Run(snap, Options{Controls: []*catalog.Control{manualF2}})
	for _, f := range res.Findings {
		if f.AccountID != "333333333333" && (f.Status != catalog.StatusManual || !strings.Contains(f.Reason, "do it")) {
			t.Errorf("unattested: %+v", f)
		}
	}
}

func TestMaturity(t *testing.T) {
	res := Run(testSnapshot(), Options{Controls: []*catalog.Control{passF1, failF3}})
	// 111: F1 passes, F3 fails in eu-west-1 → stage 2. 222: F1 errors → 0.
	// 333 unreachable → 0.
	want := map[string]int{"111111111111": 2, "222222222222": 0, "333333333333": 0}
	for id, st := range want {
		if res.Summary.Maturity[id] != st {
			t.Errorf("maturity[%s] = %d, want %d", id, res.Summary.Maturity[id], st)
		}
	}
	res = Run(testSnapshot(), Options{Controls: []*catalog.Control{passF1}})
	if res.Summary.Maturity["111111111111"] != MaxStage {
		t.Errorf("all passing: maturity = %d, want %d", res.Summary.Maturity["111111111111"], MaxStage)
	}
	if res.Summary.Pass != 1 || res.Summary.Error != 2 || res.Summary.Accounts != 3 {
		t.Errorf("summary = %+v", res.Summary)
	}
}

func TestDisabledControlsAreLeftOut(t *testing.T) {
	res := Run(testSnapshot(), Options{Controls: []*catalog.Control{passF1, failF3}, Disabled: map[string]bool{"test.fail-f3": true}})
	for _, f := range res.Findings {
		if f.ControlID == "test.fail-f3" {
			t.Fatalf("disabled control evaluated: %+v", f)
		}
	}
	if res.Summary.Maturity["111111111111"] != MaxStage {
		t.Fatalf("a disabled control must not lower the stage: %d", res.Summary.Maturity["111111111111"])
	}
}

func TestNotApplicableWinsOverFailedReads(t *testing.T) {
	c := catalog.Register(&catalog.Control{ID: "test.not-applicable", Title: "t", Stage: "M1", Kind: catalog.Detective,
		Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Low, Rationale: "r", Steps: "s",
		Reads: []string{"iam:GetThing"},
		NotApplicable: func(e *catalog.Eval) string {
			if e.Account.AccountID == "222222222222" {
				return "not required here"
			}
			return ""
		},
		Check: func(e *catalog.Eval) { e.Pass("", "ok") }})
	res := Run(testSnapshot(), Options{Controls: []*catalog.Control{c}})
	for _, f := range res.Findings {
		if f.AccountID == "222222222222" && (f.Status != catalog.StatusSkip || f.Reason != "not required here") {
			t.Fatalf("222 (read failed, not applicable): %+v", f)
		}
	}
}
