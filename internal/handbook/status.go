package handbook

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/attest"
	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// dueSoon is how far ahead an expiring attestation is flagged.
const dueSoon = 30 * 24 * time.Hour

// live is an audit result indexed for the pages.
type live struct {
	res       *audit.Result
	attest    *attest.Set
	byControl map[string][]catalog.Finding
	accounts  []string          // account ids: the snapshot's, then those only in findings
	names     map[string]string // account id → name
	category  map[string]string
	// observed is when the snapshot was collected: the audit judges
	// attestations at that time, and so does the handbook.
	observed time.Time
}

func newLive(in Input) *live {
	snap := in.Snapshot
	if snap == nil {
		snap = &snapshot.Snapshot{}
	}
	l := &live{res: in.Result, attest: in.Attestations, byControl: map[string][]catalog.Finding{},
		names: map[string]string{}, category: map[string]string{}, observed: snap.CollectedAt}
	seen := map[string]bool{}
	for _, a := range snap.Accounts {
		l.accounts = append(l.accounts, a.AccountID)
		seen[a.AccountID] = true
		l.names[a.AccountID], l.category[a.AccountID] = a.Name, a.Category
	}
	for _, f := range in.Result.Findings {
		l.byControl[f.ControlID] = append(l.byControl[f.ControlID], f)
		if !seen[f.AccountID] {
			seen[f.AccountID] = true
			l.accounts = append(l.accounts, f.AccountID)
		}
	}
	return l
}

// accountLabel is "name (id)", or the id of an account without a name.
func (l *live) accountLabel(id string) string {
	if n := l.names[id]; n != "" {
		return n + " (" + id + ")"
	}
	return id
}

// statusOrder puts what needs action first.
var statusOrder = []catalog.Status{catalog.StatusFail, catalog.StatusError, catalog.StatusManual, catalog.StatusPass, catalog.StatusSkip}

// chips counts findings by status: "2 FAIL, 3 PASS".
func (l *live) chips(fs []catalog.Finding) inline {
	n := map[catalog.Status]int{}
	for _, f := range fs {
		n[f.Status]++
	}
	var parts []inline
	for _, s := range statusOrder {
		if n[s] > 0 {
			parts = append(parts, statusCount(s, n[s]))
		}
	}
	if len(parts) == 0 {
		return text("not evaluated")
	}
	return joined(parts, " ")
}

// byAccount groups findings by account, in the order of l.accounts.
func (l *live) byAccount(fs []catalog.Finding) (ids []string, groups map[string][]catalog.Finding) {
	groups = map[string][]catalog.Finding{}
	for _, f := range fs {
		groups[f.AccountID] = append(groups[f.AccountID], f)
	}
	for _, id := range l.accounts {
		if groups[id] != nil {
			ids = append(ids, id)
		}
	}
	return ids, groups
}

func needsAction(s catalog.Status) bool {
	return s == catalog.StatusFail || s == catalog.StatusError || s == catalog.StatusManual
}

// detail is what a person should read about an account's findings: the
// problems when there are any, else why it passes or is skipped.
func detail(fs []catalog.Finding) inline {
	var problems, rest []string
	for _, f := range fs {
		where := strings.Join(slices.DeleteFunc([]string{f.Region, f.Resource}, func(s string) bool { return s == "" }), " ")
		line := f.Reason
		if where != "" {
			line = where + ": " + line
		}
		if needsAction(f.Status) {
			problems = append(problems, line)
		} else {
			rest = append(rest, line)
		}
	}
	if len(problems) > 0 {
		return text(strings.Join(problems, "; "))
	}
	return text(strings.Join(rest, "; "))
}

// controlStatus is the live section of a control's page: per account for
// checked controls, the attestations for manual ones.
func (l *live) controlStatus(c *catalog.Control) []block {
	fs := l.byControl[c.ID]
	out := []block{heading{level: 2, id: "status", text: text("Status in the audited organization")}}
	if len(fs) == 0 {
		return append(out, para{text: text("No finding: the audit did not evaluate this control (disabled in baseline.yaml).")})
	}
	ids, groups := l.byAccount(fs)
	if c.Kind == catalog.Manual {
		t := table{head: []string{"Account", "Status", "Detail", "Due"}}
		for _, id := range ids {
			for _, f := range groups[id] {
				due, _ := l.dueOf(c, f)
				t.rows = append(t.rows, []inline{text(l.accountLabel(id)), status(f.Status), text(f.Reason), due})
			}
		}
		return append(out, t)
	}
	t := table{head: []string{"Account", "Results", "Detail"}}
	for _, id := range ids {
		t.rows = append(t.rows, []inline{text(l.accountLabel(id)), l.chips(groups[id]), detail(groups[id])})
	}
	return append(out, t)
}

// dueOf says when a manual control's attestation for a finding's account
// is due: now, when there is none or it expired, else on its expiry;
// pressing is true for now and for an expiry within dueSoon.
func (l *live) dueOf(c *catalog.Control, f catalog.Finding) (when inline, pressing bool) {
	if f.Status != catalog.StatusPass {
		return strong(text("now")), true
	}
	at := l.attest.Lookup(c.ID, f.AccountID)
	if at == nil {
		return text("—"), false
	}
	exp := at.ExpiresAt()
	if exp.Sub(l.observed) < dueSoon {
		return cat(strong(text("soon")), text(": "+exp.Format("2006-01-02"))), true
	}
	return text(exp.Format("2006-01-02")), false
}

// due lists the accounts whose attestation of a manual control is missing
// or expired.
func (l *live) due(c *catalog.Control) []string {
	var out []string
	for _, f := range l.byControl[c.ID] {
		if needsAction(f.Status) {
			out = append(out, f.AccountID)
		}
	}
	return out
}

func (l *live) maturityTable() table {
	t := table{head: []string{"Account", "Category", "Foundational stage"}}
	for _, id := range l.accounts {
		n, ok := l.res.Summary.Maturity[id]
		if !ok {
			continue
		}
		stage := fmt.Sprintf("F%d", n)
		cell := text(stage)
		if n > 0 {
			cell = stageLink(stage)
		}
		t.rows = append(t.rows, []inline{text(l.accountLabel(id)), text(cmp.Or(l.category[id], "—")), cell})
	}
	return t
}

// statusPage summarizes the audit: counts, stages, attestations due and
// the controls to act on.
func (b *builder) statusPage() *page {
	l := b.live
	s := l.res.Summary
	p := &page{path: "status", title: "Status"}
	p.add(para{text: md(fmt.Sprintf("The audit of the snapshot collected %s: the findings `baseline audit` reports for the same "+
		"snapshot. Each control's page shows its findings account by account.", l.observed.UTC().Format("2006-01-02 15:04 MST")))})
	p.add(tiles{
		{label: "Accounts", value: s.Accounts, id: "count-accounts"},
		{label: "Pass", value: s.Pass, class: "pass", id: "count-pass"},
		{label: "Fail", value: s.Fail, class: "fail", id: "count-fail"},
		{label: "Error", value: s.Error, class: "error", id: "count-error"},
		{label: "Manual", value: s.Manual, class: "manual", id: "count-manual"},
		{label: "Skip", value: s.Skip, class: "skip", id: "count-skip"},
	})
	p.add(heading{level: 2, text: text("Maturity stage by account")}, l.maturityTable())

	p.add(heading{level: 2, id: "attestations", text: text("Attestations due")})
	t := table{head: []string{"Control", "Account", "Status", "Due"}}
	for _, c := range b.ofKind(catalog.Manual) {
		for _, f := range l.byControl[c.ID] {
			due, pressing := l.dueOf(c, f)
			if !pressing {
				continue
			}
			t.rows = append(t.rows, []inline{controlLink(c.ID), text(l.accountLabel(f.AccountID)), status(f.Status), due})
		}
	}
	if len(t.rows) == 0 {
		p.add(para{text: text("None: every manual control is attested for every account, for at least 30 more days.")})
	} else {
		p.add(para{text: md("Each control's page has the attestation entries to fill in for the accounts due.")}, t)
	}

	p.add(heading{level: 2, text: text("Controls to act on")})
	var failing []*catalog.Control
	for _, c := range b.in.Controls {
		for _, f := range l.byControl[c.ID] {
			if f.Status == catalog.StatusFail || f.Status == catalog.StatusError {
				failing = append(failing, c)
				break
			}
		}
	}
	if len(failing) == 0 {
		p.add(para{text: text("None: every checked control passes or does not apply.")})
	} else {
		p.add(b.controlTable(failing))
	}
	return p
}
