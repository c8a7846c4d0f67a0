package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/sigma"
)

func eventTime(t *testing.T, rec map[string]any) time.Time {
	t.Helper()
	s, _ := rec["eventTime"].(string)
	when, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("event %v: eventTime: %v", rec["eventID"], err)
	}
	return when
}

// detect runs rules over records in eventTime order, as trail detect does,
// and counts alerts by rule id: matches of detection rules reported on their
// own, and correlation alerts, including those Flush closes.
func detect(t *testing.T, rules []*sigma.Rule, records []map[string]any) map[string]int {
	t.Helper()
	rs, err := sigma.NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	corr, err := sigma.NewCorrelator(rules)
	if err != nil {
		t.Fatal(err)
	}
	records = slices.Clone(records)
	slices.SortStableFunc(records, func(a, b map[string]any) int { return eventTime(t, a).Compare(eventTime(t, b)) })
	hits := map[string]int{}
	count := func(alerts []sigma.Alert) {
		for _, a := range alerts {
			hits[a.Rule.ID]++
		}
	}
	var matched []*sigma.Rule
	for _, rec := range records {
		when := eventTime(t, rec)
		ev := &sigma.MapEvent{Fields: rec}
		count(corr.Advance(when))
		matched = rs.Match(ev, matched[:0])
		for _, r := range matched {
			if corr.Generates(r.ID) {
				hits[r.ID]++
			}
			count(corr.Observe(r.ID, ev, when))
		}
	}
	count(corr.Flush())
	return hits
}

const stratusURL = "https://stratus-red-team.cloud/attack-techniques/AWS/"

// techniques returns the Stratus Red Team techniques a rule claims to detect,
// from its references.
func techniques(r *sigma.Rule) []string {
	var out []string
	for _, ref := range r.References {
		if id, ok := strings.CutPrefix(ref, stratusURL); ok {
			out = append(out, strings.TrimSuffix(id, "/"))
		}
	}
	return out
}

func builtinRules(t *testing.T) []*sigma.Rule {
	t.Helper()
	rules, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func ruleByID(t *testing.T, rules []*sigma.Rule, id string) *sigma.Rule {
	t.Helper()
	i := slices.IndexFunc(rules, func(r *sigma.Rule) bool { return r.ID == id })
	if i < 0 {
		t.Fatalf("no built-in rule %s", id)
	}
	return rules[i]
}
