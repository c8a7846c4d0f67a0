package handbook

import (
	"path"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/sigma"
)

// events indexes the rule pack: which rules are alerted on their own, which
// correlations count which rules, and which CIS monitoring item each rule
// covers (those apply also turns into EventBridge rules).
type events struct {
	rules []*sigma.Rule
	gen   *sigma.Correlator
	// counted lists, for a detection rule, the correlations counting it.
	counted map[string][]*sigma.Rule
	// cis lists the CIS monitoring items of a rule; cisRules the rules of an item.
	cis      map[string][]string
	cisRules map[string][]*sigma.Rule
}

func newEvents(pack []*sigma.Rule) (*events, error) {
	gen, err := sigma.NewCorrelator(pack)
	if err != nil {
		return nil, err
	}
	ev := &events{rules: pack, gen: gen, counted: map[string][]*sigma.Rule{},
		cis: map[string][]string{}, cisRules: map[string][]*sigma.Rule{}}
	byRef := map[string]*sigma.Rule{} // by id and by name, as correlations refer to rules
	for _, r := range pack {
		byRef[r.ID] = r
		if r.Name != "" {
			byRef[r.Name] = r
		}
	}
	for _, r := range pack {
		if r.Correlation == nil {
			continue
		}
		for _, ref := range r.Correlation.Rules {
			if d := byRef[ref]; d != nil {
				ev.counted[d.ID] = append(ev.counted[d.ID], r)
			}
		}
	}
	for _, it := range rules.CISMonitoring() {
		for _, id := range it.RuleIDs {
			if r := byRef[id]; r != nil {
				ev.cis[id] = append(ev.cis[id], it.ID)
				ev.cisRules[it.ID] = append(ev.cisRules[it.ID], r)
			}
		}
	}
	return ev, nil
}

// related are the rules tied to a control: those it names, and those of
// the CIS monitoring items it covers, in pack order.
func (ev *events) related(c *catalog.Control) []*sigma.Rule {
	want := map[string]bool{}
	for _, id := range c.Detections {
		want[id] = true
	}
	for _, item := range c.CIS {
		for _, r := range ev.cisRules[item] {
			want[r.ID] = true
		}
	}
	var out []*sigma.Rule
	for _, r := range ev.rules {
		if want[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

func ruleAnchor(r *sigma.Rule) string { return "rule-" + r.ID }

// ruleLink links to the section of a rule on the events page.
func ruleLink(r *sigma.Rule) inline { return link("events#"+ruleAnchor(r), text(r.Title)) }

// ruleGroup names the folder of the pack a rule comes from; rank orders
// the groups: the events every account captures, the CIS changes, the
// attack techniques.
func ruleGroup(r *sigma.Rule) (name string, rank int) {
	dir := strings.TrimPrefix(path.Dir(r.File), "pack/")
	switch {
	case dir == "seed":
		return "Events every account captures", 0
	case dir == "cis":
		return "CIS monitoring changes", 1
	case strings.HasPrefix(dir, "stratus/"):
		return "Attack techniques: " + strings.ReplaceAll(strings.TrimPrefix(dir, "stratus/"), "-", " "), 2
	}
	return "Other rules", 3
}

func (b *builder) eventsPage() *page {
	ev := b.ev
	p := &page{path: "events", title: "Events and alerts"}
	p.add(para{text: md("The built-in rule pack, Sigma rules embedded in baseline, turns CloudTrail events into alerts. " +
		"`baseline trail detect ./logs --since 24h` runs it over stored logs, `baseline trail watch --queue URL -f baseline.yaml` " +
		"over the live stream, and `--rules DIR` adds your own. The events every account must capture (root sign-ins and " +
		"activity, configuration changes, denied calls, KMS keys disabled, deleted or no longer rotated) come first, then " +
		"the CIS monitoring changes, then the attack techniques CloudTrail can reveal.")})

	p.add(heading{level: 2, id: "routes", text: text("Where alerts go")})
	p.add(list{items: []inline{b.watchRoute(), b.topicRoute(),
		md("A rule that only feeds a correlation is not alerted on its own: one denied call is routine, ten in ten " +
			"minutes by one principal is not. Each rule below says which correlation counts it."),
		md("`--honeytoken USER` on `baseline trail detect` and `baseline trail watch` adds a rule that alerts on any use of " +
			"that user's credentials (see [[detection.honeytokens]])."),
	}})

	var order []string
	groups := map[string][]*sigma.Rule{}
	ranks := map[string]int{}
	for _, r := range ev.rules {
		g, rank := ruleGroup(r)
		if groups[g] == nil {
			order = append(order, g)
			ranks[g] = rank
		}
		groups[g] = append(groups[g], r)
	}
	slices.SortStableFunc(order, func(a, b string) int { return ranks[a] - ranks[b] })
	for _, g := range order {
		p.add(heading{level: 2, text: text(g)})
		t := table{head: []string{"Rule", "Level", "ATT&CK", "Alerted"}}
		for _, r := range groups[g] {
			t.rows = append(t.rows, []inline{ruleLink(r), text(r.Level), attackTags(r), ev.alerted(r)})
		}
		p.add(t)
		for _, r := range groups[g] {
			p.add(ev.ruleSection(r)...)
		}
	}
	return p
}

// watchRoute says where `trail watch` sends alerts: the sinks of trail.alerts.
func (b *builder) watchRoute() inline {
	s := b.in.Sinks
	var sinks []inline
	for _, arn := range s.SNS {
		sinks = append(sinks, cat(text("SNS "), mono(arn)))
	}
	for _, url := range s.SQS {
		sinks = append(sinks, cat(text("SQS "), mono(url)))
	}
	for _, sl := range s.Slack {
		sinks = append(sinks, cat(text("Slack (webhook in "), mono("$"+sl.URLEnv), text(")")))
	}
	for _, w := range s.Webhooks {
		sinks = append(sinks, cat(text("webhook "), mono(w.URL)))
	}
	out := md("`baseline trail watch` writes every alert as a JSON line to its output and sends it to the sinks of " +
		"`trail.alerts` in baseline.yaml (or the `--alert-sns`, `--alert-sqs`, `--alert-slack` and `--alert-webhook` flags): ")
	if len(sinks) == 0 {
		out = cat(out, md("none is configured yet. "))
	} else {
		out = cat(out, joined(sinks, ", "), text(". "))
	}
	return cat(out, md("Alerts of one rule and principal are grouped over a window; one a sink still refuses after "+
		"retries goes to a dead-letter file, which `baseline trail alerts replay FILE` sends again."))
}

// topicRoute says where the EventBridge rules apply sets up deliver: the
// alert topic and its subscribers.
func (b *builder) topicRoute() inline {
	out := md("In real time, inside AWS: `baseline apply` sets up an EventBridge rule for each CIS monitoring item in " +
		"every account and region ([[monitoring.cis-alarms]]), publishing to the alert SNS topic in the security " +
		"account ([[alerts.topic]]), which notifies ")
	if emails := b.in.Settings.AlertEmails; len(emails) > 0 {
		addrs := make([]inline, len(emails))
		for i, e := range emails {
			addrs[i] = mono(e)
		}
		return cat(out, joined(addrs, ", "), text("."))
	}
	return cat(out, md("the addresses of `alerts.emails` in baseline.yaml: none is set yet."))
}

// alerted says, in a few words, how a rule's matches reach someone.
func (ev *events) alerted(r *sigma.Rule) inline {
	if !ev.gen.Generates(r.ID) {
		var by []inline
		for _, c := range ev.counted[r.ID] {
			by = append(by, ruleLink(c))
		}
		return cat(text("counted by "), joined(by, ", "))
	}
	out := md("[trail watch](events#routes)")
	if items := ev.cis[r.ID]; len(items) > 0 {
		out = cat(out, md(" and the [alert topic](events#routes) (CIS "+strings.Join(items, ", ")+")"))
	}
	return out
}

func (ev *events) ruleSection(r *sigma.Rule) []block {
	out := []block{heading{level: 3, id: ruleAnchor(r), text: text(r.Title)}}
	if d := strings.Join(strings.Fields(r.Description), " "); d != "" {
		out = append(out, para{text: text(d)})
	}
	items := []inline{
		cat(strong(text("Level")), text(" "+r.Level), text(" · "), strong(text("ATT&CK")), text(" "), attackTags(r)),
		cat(strong(text("Alerted")), text(": "), ev.alerted(r)),
	}
	if len(r.FalsePositives) > 0 {
		items = append(items, cat(strong(text("False positives")), text(": "+strings.Join(r.FalsePositives, "; "))))
	}
	var refs []inline
	for _, ref := range r.References {
		if isExternal(ref) {
			refs = append(refs, link(ref, text(ref)))
		}
	}
	if len(refs) > 0 {
		items = append(items, cat(strong(text("References")), text(": "), joined(refs, ", ")))
	}
	return append(out, list{items: items})
}

// attackTags shows a rule's ATT&CK tactics and techniques, techniques
// linked to MITRE's pages.
func attackTags(r *sigma.Rule) inline {
	var out []inline
	for _, t := range r.Tags {
		name, ok := strings.CutPrefix(strings.ToLower(t), "attack.")
		if !ok {
			continue
		}
		if len(name) > 1 && name[0] == 't' && name[1] >= '0' && name[1] <= '9' {
			id := strings.ToUpper(name)
			out = append(out, link("https://attack.mitre.org/techniques/"+strings.ReplaceAll(id, ".", "/")+"/", text(id)))
			continue
		}
		out = append(out, text(strings.ReplaceAll(name, "-", " ")))
	}
	if len(out) == 0 {
		return text("—")
	}
	return joined(out, ", ")
}
