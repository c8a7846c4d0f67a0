// Package audit evaluates the catalog over a snapshot: findings, counts and
// the maturity stage of every account. It calls no AWS API: the same snapshot
// always gives the same result.
package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secure-baseline/baseline/internal/attest"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Options tune an audit.
type Options struct {
	Settings     *catalog.Settings
	Attestations *attest.Set
	// Controls limits the audit to these controls; nil means the whole catalog.
	Controls []*catalog.Control
	// Disabled control ids are left out entirely (config `enabled: false`).
	Disabled map[string]bool
}

// Result is the outcome of an audit, in the shape of the JSON contract.
type Result struct {
	Summary  Summary           `json:"summary"`
	Findings []catalog.Finding `json:"findings"`
}

// Summary counts findings by status and gives each account's maturity stage.
type Summary struct {
	Accounts int            `json:"accounts"`
	Pass     int            `json:"pass"`
	Fail     int            `json:"fail"`
	Error    int            `json:"error"`
	Manual   int            `json:"manual"`
	Skip     int            `json:"skip"`
	Maturity map[string]int `json:"maturity"`
}

// Run evaluates every control on every unit of the snapshot.
func Run(snap *snapshot.Snapshot, opts Options) *Result {
	settings := opts.Settings
	if settings == nil {
		settings = catalog.Defaults()
	}
	controls := opts.Controls
	if controls == nil {
		controls = catalog.All()
	}
	errs := catalog.IndexErrors(snap)
	r := &runner{snap: snap, settings: settings, attest: opts.Attestations, errs: errs}
	var findings []catalog.Finding
	var used []*catalog.Control
	for _, c := range controls {
		if opts.Disabled[c.ID] {
			continue
		}
		used = append(used, c)
		findings = append(findings, r.control(c)...)
	}
	sortFindings(findings)
	res := &Result{Findings: findings}
	res.Summary = summarize(snap, used, findings)
	return res
}

type runner struct {
	snap     *snapshot.Snapshot
	settings *catalog.Settings
	attest   *attest.Set
	errs     catalog.ErrorIndex
}

// control evaluates c on each of its units.
func (r *runner) control(c *catalog.Control) []catalog.Finding {
	var out []catalog.Finding
	for _, u := range catalog.Units(c, r.snap) {
		out = append(out, r.unit(c, u.Account, u.Region)...)
	}
	return out
}

// unit evaluates c on one unit, turning every way a check can fail to
// answer into an ERROR finding rather than a silent gap.
func (r *runner) unit(c *catalog.Control, a *snapshot.Account, region string) (out []catalog.Finding) {
	e := catalog.NewEval(c, r.snap, r.settings, r.errs, a, region)
	if a != nil && a.Unreachable != "" {
		e.Errorf("", "account could not be assessed: %s", a.Unreachable)
		return e.Findings()
	}
	if c.NotApplicable != nil {
		if why := c.NotApplicable(e); why != "" {
			e.Skip("", "%s", why)
			return e.Findings()
		}
	}
	if c.Kind == catalog.Manual {
		return r.manual(e)
	}
	if a == nil && r.snap.Organization == nil {
		if err := r.errs.Find("", "", "organizations:DescribeOrganization", "", catalog.PerOrg); err != nil {
			e.ReadFailed("", err)
			return e.Findings()
		}
	}
	if failed := catalog.ReadsFailed(e); len(failed) > 0 {
		e.Errorf("", "%s", strings.Join(failed, "; "))
		return e.Findings()
	}
	defer func() {
		if p := recover(); p != nil {
			out = []catalog.Finding{errorFinding(e, fmt.Sprintf("check failed: %v", p))}
		}
	}()
	c.Check(e)
	if len(e.Findings()) == 0 {
		return []catalog.Finding{errorFinding(e, "check reported no result")}
	}
	return e.Findings()
}

// manual resolves a manual control from the attestation file.
func (r *runner) manual(e *catalog.Eval) []catalog.Finding {
	acct := r.snap.ManagementAccountID()
	if e.Account != nil {
		acct = e.Account.AccountID
	}
	at := r.attest.Lookup(e.Control.ID, acct)
	hint := ""
	if e.Control.Hint != nil && (e.Account == nil || e.Account.Unreachable == "") {
		if h := e.Control.Hint(e); h != "" {
			hint = " (seen: " + h + ")"
		}
	}
	switch {
	case at == nil:
		e.NeedsAttestation("needs an attestation: %s%s", firstLine(e.Control.Steps), hint)
	case !e.Now.Before(at.ExpiresAt()):
		e.Fail("", "attestation by %s expired on %s%s", at.By, at.ExpiresAt().Format("2006-01-02"), hint)
	default:
		reason := fmt.Sprintf("attested by %s on %s until %s", at.By, at.DateOf().Format("2006-01-02"), at.ExpiresAt().Format("2006-01-02"))
		if at.Evidence != "" {
			reason += " (evidence: " + at.Evidence + ")"
		}
		e.Pass("", "%s", reason)
	}
	return e.Findings()
}

func errorFinding(e *catalog.Eval, reason string) catalog.Finding {
	f := catalog.Finding{ControlID: e.Control.ID, Status: catalog.StatusError, Severity: e.Control.Severity, Region: e.Region, Reason: reason}
	if e.Account != nil {
		f.AccountID = e.Account.AccountID
	} else {
		f.AccountID = e.Snap.ManagementAccountID()
	}
	return f
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// sortFindings orders by control (catalog order), account, region, resource,
// so every output format is stable.
func sortFindings(fs []catalog.Finding) {
	rank := map[string]int{}
	for i, c := range catalog.All() {
		rank[c.ID] = i
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.ControlID != b.ControlID {
			return rank[a.ControlID] < rank[b.ControlID]
		}
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Resource < b.Resource
	})
}
