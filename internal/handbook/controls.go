package handbook

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// kinds in the order the handbook presents them.
var kinds = []catalog.Kind{catalog.Manual, catalog.Automated, catalog.Detective}

var kindTitles = map[catalog.Kind]string{
	catalog.Manual:    "Manual",
	catalog.Automated: "Automated",
	catalog.Detective: "Detective",
}

var kindIntros = map[catalog.Kind]string{
	catalog.Manual: "A person does these, some only with the root user's credentials, and records it in an attestation " +
		"file: who, when, with what evidence. `baseline audit --attestations attestations.yaml` reports them MANUAL until an " +
		"attestation covers the account, and FAIL once it has expired (a year after its date unless it says otherwise).",
	catalog.Automated: "baseline checks these at every audit and sets them up in every account and region: " +
		"`baseline plan -f baseline.yaml` shows the changes, `baseline apply -f baseline.yaml` makes only those, in " +
		"dependency order, tagging what it creates `" + catalog.ManagedTagKey + "=" + catalog.ManagedTagValue + "` and adopting what already " +
		"satisfies the control.",
	catalog.Detective: "baseline checks these and never changes them: what fails needs a decision only the owner of the " +
		"resource can make (remove a user, close a port, re-launch an instance). A finding names what to fix, and the " +
		"related detections alert when the problem appears between two audits.",
}

func kindPath(k catalog.Kind) string { return "processes/" + string(k) }

func (b *builder) ofKind(k catalog.Kind) []*catalog.Control {
	var out []*catalog.Control
	for _, c := range b.in.Controls {
		if c.Kind == k {
			out = append(out, c)
		}
	}
	return out
}

// stageLink links to a stage of the roadmap.
func stageLink(stage string) inline { return link("roadmap#"+stageAnchor(stage), text(stage)) }

func stageAnchor(stage string) string { return strings.ToLower(stage) }

// kindPage lists the controls of one kind.
func (b *builder) kindPage(k catalog.Kind) *page {
	p := &page{path: kindPath(k), title: kindTitles[k] + " processes"}
	p.add(para{text: md(kindIntros[k])})
	p.add(b.controlTable(b.ofKind(k)))
	return p
}

// controlTable lists controls with their stage and severity, and their
// status when there is an audit.
func (b *builder) controlTable(cs []*catalog.Control) table {
	t := table{head: []string{"Control", "Title", "Stage", "Severity"}}
	if b.live != nil {
		t.head = append(t.head, "Status")
	}
	for _, c := range cs {
		row := []inline{controlLink(c.ID), text(c.Title), stageLink(c.Stage), text(string(c.Severity))}
		if b.live != nil {
			row = append(row, b.live.chips(b.live.byControl[c.ID]))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

var unitPhrases = map[catalog.Unit]string{
	catalog.PerOrg:     "once for the organization, from the management account",
	catalog.PerAccount: "in every account",
	catalog.PerRegion:  "in every account and enabled region",
}

// controlPage is the page of one process.
func (b *builder) controlPage(c *catalog.Control) *page {
	p := &page{path: controlPath(c.ID), title: c.Title}
	meta := []inline{mono(c.ID), cat(text("stage "), stageLink(c.Stage)), link(kindPath(c.Kind), text(string(c.Kind))),
		textf("%s scope", c.Scope), textf("severity %s", c.Severity)}
	if len(c.CIS) > 0 {
		meta = append(meta, cat(link("cis", text("CIS v7.0")), text(" "+strings.Join(c.CIS, ", "))))
	}
	p.add(para{text: joined(meta, " · "), note: true})

	p.add(heading{level: 2, text: text("Why")}, para{text: text(c.Rationale)})
	p.add(heading{level: 2, text: text("How, by hand")}, code{lang: "text", text: c.Steps})

	p.add(heading{level: 2, text: text("What baseline does")})
	p.add(list{items: b.whatBaselineDoes(c)})

	switch dets := b.ev.related(c); {
	case len(dets) > 0:
		var items []inline
		for _, r := range dets {
			items = append(items, cat(ruleLink(r), textf(" (%s)", r.Level)))
		}
		p.add(heading{level: 2, text: text("Related detections")}, list{items: items})
	case c.Kind == catalog.Detective:
		p.add(heading{level: 2, text: text("Related detections")},
			para{text: md("No rule of the built-in pack is tied to this control: the audit is what watches it. " +
				"Run `baseline audit` on a schedule to catch a regression.")})
	}
	if c.Knob != "" {
		p.add(heading{level: 2, text: text("Setting")})
		p.add(para{text: cat(mono(c.Knob), md(" in baseline.yaml tunes this control; `baseline init` writes a commented starting file."))})
	}
	if c.Kind == catalog.Manual {
		p.add(heading{level: 2, text: text("Attestation")})
		p.add(para{text: md("Record it in the attestation file that `baseline audit --attestations attestations.yaml` and " +
			"`baseline docs --snapshot snapshot.json.gz --attestations attestations.yaml` read:")})
		p.add(code{lang: "yaml", text: b.attestationTemplate(c)})
	}
	if b.live != nil {
		p.add(b.live.controlStatus(c)...)
	}
	return p
}

// whatBaselineDoes says how the control is checked and, for automated
// controls, what apply does, derived from the control itself.
func (b *builder) whatBaselineDoes(c *catalog.Control) []inline {
	var out []inline
	if c.Kind == catalog.Manual {
		check := "baseline cannot observe this: a person attests it, and `baseline audit --attestations attestations.yaml` " +
			"reports it for every account: MANUAL without an attestation, FAIL once it has expired, PASS otherwise."
		if c.Hint != nil {
			check += " The audit adds what the snapshot shows, to help whoever attests."
		}
		return append(out, md(check))
	}
	check := md(fmt.Sprintf("`baseline audit --controls %s` checks it %s", c.ID, unitPhrases[c.Unit]))
	if c.Scope == catalog.ScopeResource {
		check = cat(check, text(", with one finding per resource"))
	}
	if len(c.Reads) > 0 {
		reads := make([]inline, len(c.Reads))
		for i, r := range c.Reads {
			reads[i] = mono(r)
		}
		check = cat(check, md(", from what `baseline collect` reads (the permissions the audit role needs): "), joined(reads, ", "))
	}
	out = append(out, cat(check, text(". A read that failed makes the result ERROR, naming the permission, never PASS or FAIL.")))
	switch {
	case c.Fix != nil:
		ops := make([]inline, 0, len(c.Fix.Ops))
		for _, op := range catalog.SortedKeys(c.Fix.Ops) {
			ops = append(ops, mono(op))
		}
		out = append(out, cat(md(fmt.Sprintf("`baseline plan -f baseline.yaml --target %s` lists the changes the failing accounts "+
			"need and `baseline apply -f baseline.yaml --target %s` makes them, with the operations ", c.ID, c.ID)),
			joined(ops, ", "), md(". What already satisfies the control is adopted, never duplicated; a second plan is empty.")))
	case c.Kind == catalog.Automated:
		out = append(out, md("`baseline apply` does not set this one up yet: follow the steps above, and the audit checks the result."))
	default:
		out = append(out, md("`baseline apply` never changes it: each failing finding names the account, region and resource to fix."))
	}
	return out
}

// attestationTemplate is the YAML that satisfies a manual control: for
// the accounts due when there is an audit, else for every account.
func (b *builder) attestationTemplate(c *catalog.Control) string {
	accounts := []string{"*"}
	if b.live != nil {
		if due := b.live.due(c); len(due) > 0 {
			accounts = due
		}
	}
	var s strings.Builder
	s.WriteString("attestations:\n")
	for _, a := range accounts {
		comment := "  # every account; or one 12-digit account id"
		if a != "*" {
			comment = "  # " + b.live.accountLabel(a)
		}
		fmt.Fprintf(&s, "  - control: %s\n    account: %q%s\n    by: you@example.com\n    date: %s\n"+
			"    evidence: https://wiki.example.com/security/%s\n", c.ID, a, comment, b.in.Now.UTC().Format("2006-01-02"), c.ID)
	}
	return s.String()
}
