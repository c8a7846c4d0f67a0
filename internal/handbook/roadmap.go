package handbook

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/rules"
)

// roadmapPage lists every stage that has controls, tier by tier.
func (b *builder) roadmapPage() *page {
	p := &page{path: "roadmap", title: "Maturity roadmap"}
	p.add(para{text: md("Three tiers of up to ten stages each: foundational (F), moderate (M) and complex (C). Climb the " +
		"foundational stages first: an account is at stage F3 when every control of stages F1, F2 and F3 passes, a " +
		"manual control counting once it is attested; F0 means F1 is not met yet. The moderate and complex stages are what to " +
		"pursue once the foundation holds. `baseline audit` shows each account's stage and what blocks the next one.")})
	if b.live != nil {
		p.add(b.live.maturityTable())
	}
	for _, tier := range catalog.Tiers {
		p.add(heading{level: 2, text: text(catalog.TierName(tier))})
		for n := 1; n <= 10; n++ {
			stage := fmt.Sprintf("%s%d", tier, n)
			var cs []*catalog.Control
			for _, c := range b.in.Controls {
				if c.Stage == stage {
					cs = append(cs, c)
				}
			}
			if len(cs) == 0 {
				continue
			}
			title := stage
			if name := catalog.StageName(stage); name != "" {
				title += " · " + name
			}
			p.add(heading{level: 3, id: stageAnchor(stage), text: text(title)}, b.controlTable(cs))
		}
	}
	return p
}

// cisPage maps CIS AWS Foundations Benchmark v7.0 recommendations to the
// controls that check them, and the monitoring items to the rules.
func (b *builder) cisPage() *page {
	p := &page{path: "cis", title: "CIS AWS Foundations Benchmark v7.0"}
	p.add(para{text: md("Which control checks each recommendation of the benchmark. A recommendation that is not listed is " +
		"outside the catalog. `baseline audit --format sarif` and `--format asff` carry these ids with every finding.")})
	type pair struct {
		cis string
		c   *catalog.Control
	}
	var pairs []pair
	for _, c := range b.in.Controls {
		for _, id := range c.CIS {
			pairs = append(pairs, pair{id, c})
		}
	}
	slices.SortStableFunc(pairs, func(x, y pair) int { return compareCIS(x.cis, y.cis) })
	t := table{head: []string{"CIS", "Control", "Title", "Kind"}}
	for _, pr := range pairs {
		t.rows = append(t.rows, []inline{text(pr.cis), controlLink(pr.c.ID), text(pr.c.Title), link(kindPath(pr.c.Kind), text(string(pr.c.Kind)))})
	}
	p.add(t)

	p.add(heading{level: 2, text: text("Monitoring recommendations and their detection rules")})
	p.add(para{text: md("The benchmark's monitoring section asks for an alert on each of these events. The rules run in " +
		"`baseline trail detect` and `trail watch`; `baseline apply` also sets them up as EventBridge rules ([[monitoring.cis-alarms]]).")})
	mt := table{head: []string{"CIS", "Event", "Rules"}}
	for _, it := range rules.CISMonitoring() {
		var rs []inline
		for _, r := range b.ev.cisRules[it.ID] {
			rs = append(rs, ruleLink(r))
		}
		mt.rows = append(mt.rows, []inline{text(it.ID), text(it.Title), joined(rs, ", ")})
	}
	p.add(mt)
	return p
}

// compareCIS orders benchmark ids by their numbers: 2.9 before 2.10.
func compareCIS(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		switch {
		case errx != nil || erry != nil:
			if c := strings.Compare(as[i], bs[i]); c != 0 {
				return c
			}
		case x != y:
			return x - y
		}
	}
	return len(as) - len(bs)
}
