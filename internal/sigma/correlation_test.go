package sigma

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, 8, 1, 12, 0, 0, 0, time.UTC)

// at returns t0 plus a duration like "90s" or "5m".
func at(tb testing.TB, offset string) time.Time {
	tb.Helper()
	d, err := time.ParseDuration(offset)
	if err != nil {
		tb.Fatal(err)
	}
	return t0.Add(d)
}

// correlator builds a Correlator over detection rules "a", "b" and "c"
// (never evaluated here: observations are fed directly) and the given
// correlation section.
func correlator(tb testing.TB, correlation string, opts ...CorrelatorOption) *Correlator {
	tb.Helper()
	rules := []*Rule{}
	for _, id := range []string{"a", "b", "c"} {
		r, err := ParseRule([]byte(ruleYAML(id, "sel:\n  eventName: "+id+"\ncondition: sel")))
		if err != nil {
			tb.Fatal(err)
		}
		rules = append(rules, r)
	}
	corr, err := ParseRule([]byte("title: corr\nid: corr\ncorrelation:\n" + indent(correlation)))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := NewCorrelator(append(rules, corr), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// step is one observation: rule, event fields (k=v pairs) and time offset.
type step struct {
	rule, fields, time string
}

// run feeds steps and returns alerts as compact strings, including Flush.
func run(tb testing.TB, c *Correlator, steps []step) []string {
	tb.Helper()
	var out []string
	record := func(alerts []Alert) {
		for _, a := range alerts {
			out = append(out, fmt.Sprintf("%s %v %s..%s n=%d", a.Rule.ID, a.Group,
				a.Start.Sub(t0), a.End.Sub(t0), a.Count))
		}
	}
	for _, s := range steps {
		fields := map[string]any{}
		for _, kv := range strings.Fields(s.fields) {
			k, v, _ := strings.Cut(kv, "=")
			fields[k] = v
		}
		if s.rule == "" {
			record(c.Advance(at(tb, s.time)))
			continue
		}
		record(c.Observe(s.rule, &MapEvent{Fields: fields}, at(tb, s.time)))
	}
	record(c.Flush())
	return out
}

func TestCorrelations(t *testing.T) {
	tests := []struct {
		name        string
		correlation string
		lateness    time.Duration
		steps       []step
		want        []string
	}{
		{
			name:        "event_count fires at the threshold, per group, then restarts",
			correlation: "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 5m\ncondition: {gte: 3}",
			steps: []step{
				{"a", "user=alice", "0s"}, {"a", "user=bob", "30s"}, {"a", "user=alice", "1m"},
				{"a", "user=bob", "3m"}, {"a", "user=alice", "2m"}, {"a", "user=bob", "6m"},
				{"a", "user=alice", "10m"}, {"a", "user=alice", "10m30s"}, {"a", "user=alice", "11m"},
			},
			want: []string{"corr [alice] 0s..2m0s n=3", "corr [alice] 10m0s..11m0s n=3"},
		},
		{
			name:        "windows are half-open",
			correlation: "type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {gte: 3}",
			steps:       []step{{"a", "", "0s"}, {"a", "", "2m30s"}, {"a", "", "5m"}},
			want:        nil,
		},
		{
			name:        "event_count over two rules, events without group-by field ignored",
			correlation: "type: event_count\nrules: [a, b]\ngroup-by: [user]\ntimespan: 1h\ncondition: {gt: 2}",
			steps:       []step{{"a", "user=x", "0s"}, {"b", "", "1m"}, {"b", "user=x", "2m"}, {"c", "user=x", "3m"}, {"a", "user=x", "4m"}},
			want:        []string{"corr [x] 0s..4m0s n=3"},
		},
		{
			name:        "value_count counts distinct values",
			correlation: "type: value_count\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {field: ip, gte: 3}",
			steps: []step{
				{"a", "user=u ip=1", "0s"}, {"a", "user=u ip=1", "1m"}, {"a", "user=u ip=2", "2m"},
				{"a", "user=u ip=2", "3m"}, {"a", "user=u", "3m30s"}, {"a", "user=u ip=3", "4m"},
			},
			want: []string{"corr [u] 0s..4m0s n=3"},
		},
		{
			name:        "temporal: all rules within the timespan",
			correlation: "type: temporal\nrules: [a, b]\ngroup-by: [user]\ntimespan: 10m",
			steps: []step{
				{"a", "user=late", "0s"}, {"a", "user=ok", "1m"}, {"a", "user=ok", "2m"},
				{"b", "user=ok", "6m"}, {"b", "user=late", "11m"},
			},
			want: []string{"corr [ok] 1m0s..6m0s n=2"},
		},
		{
			name:        "temporal_ordered needs the rules in order",
			correlation: "type: temporal_ordered\nrules: [a, b]\ntimespan: 10m",
			steps:       []step{{"b", "", "0s"}, {"a", "", "1m"}, {"b", "", "2m"}},
			want:        []string{"corr [] 0s..2m0s n=2"},
		},
		{
			name:        "upper bound is decided when the window closes",
			correlation: "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {lt: 3}",
			lateness:    time.Minute,
			steps: []step{
				{"a", "user=rare", "0s"}, {"a", "user=busy", "0s"}, {"a", "user=busy", "1m"},
				{"a", "user=busy", "2m"}, {"a", "user=rare", "5m"},
				{"", "", "10m30s"}, // watermark 9m30s: nothing closed yet
				{"", "", "11m"},    // watermark 10m: the windows starting at 0s close
			},
			// busy's first window holds 3 events (no alert), its next one, from
			// 1m, holds 2 and fires at Flush.
			want: []string{"corr [rare] 0s..5m0s n=2", "corr [busy] 1m0s..2m0s n=2"},
		},
		{
			name:        "eq range",
			correlation: "type: event_count\nrules: [a]\ntimespan: 10m\ncondition: {gte: 2, lte: 2}",
			steps:       []step{{"a", "", "0s"}, {"a", "", "1m"}, {"a", "", "30m"}},
			want:        []string{"corr [] 0s..1m0s n=2"},
		},
		{
			name:        "out-of-order events within the lateness",
			correlation: "type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {gte: 3}",
			lateness:    5 * time.Minute,
			steps:       []step{{"a", "", "4m"}, {"a", "", "0s"}, {"a", "", "9m"}, {"a", "", "2m"}},
			want:        []string{"corr [] 0s..4m0s n=3"},
		},
		{
			name:        "absence: followed in time, not followed, closed by Flush",
			correlation: "type: absence\nrules: [a]\nabsent: [b]\ngroup-by: [vpc]\ntimespan: 30m",
			lateness:    time.Minute,
			steps: []step{
				{"a", "vpc=followed", "0s"}, {"b", "vpc=followed", "10m"},
				{"a", "vpc=alone", "1m"}, {"a", "vpc=alone", "2m"},
				{"b", "vpc=toolate", "0s"}, {"a", "vpc=toolate", "1m"}, // closing event before the window
				{"b", "vpc=early", "41m"}, {"a", "vpc=early", "40m"}, // closing event arrived first
				{"a", "vpc=before", "42m"}, {"b", "vpc=before", "41m"}, // closing event precedes the window
				{"", "", "31m"}, // watermark 30m: alone's window [1m, 31m) still open
				{"", "", "32m"}, // watermark 31m: it closes
				{"a", "vpc=flush", "50m"},
			},
			want: []string{
				"corr [alone] 1m0s..31m0s n=2",
				"corr [toolate] 1m0s..31m0s n=1",
				"corr [before] 42m0s..1h12m0s n=1",
				"corr [flush] 50m0s..1h20m0s n=1",
			},
		},
		{
			name:        "aliases map group-by fields per rule",
			correlation: "type: temporal\nrules: [a, b]\ngroup-by: [who]\ntimespan: 1h\naliases:\n  who:\n    a: user\n    b: target",
			steps:       []step{{"a", "user=x target=y", "0s"}, {"b", "user=y target=x", "1m"}},
			want:        []string{"corr [x] 0s..1m0s n=2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := correlator(t, tc.correlation, WithLateness(tc.lateness))
			got := run(t, c, tc.steps)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("alerts:\n  got  %q\n  want %q", got, tc.want)
			}
			// The same input gives the same output.
			if again := run(t, correlator(t, tc.correlation, WithLateness(tc.lateness)), tc.steps); !reflect.DeepEqual(again, got) {
				t.Errorf("not deterministic:\n  %q\n  %q", got, again)
			}
		})
	}
}

func TestCorrelationStateIsBounded(t *testing.T) {
	for _, corr := range []string{
		"type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 1m\ncondition: {gte: 1000}",
		"type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 1m\ncondition: {lte: 1000}",
		"type: value_count\nrules: [a]\ngroup-by: [user]\ntimespan: 1m\ncondition: {field: user, gte: 1000}",
		"type: temporal\nrules: [a, b]\ngroup-by: [user]\ntimespan: 1m",
		"type: absence\nrules: [a]\nabsent: [b]\ngroup-by: [user]\ntimespan: 1m",
	} {
		c := correlator(t, corr, WithLateness(30*time.Second))
		k := c.corrs[0]
		maxEntries := 0
		for i := range 10000 {
			ev := &MapEvent{Fields: map[string]any{"user": fmt.Sprint("u", i%50)}}
			rule := []string{"a", "b"}[i%3/2]
			c.Observe(rule, ev, t0.Add(time.Duration(i)*100*time.Millisecond))
			total := 0
			for _, g := range k.groups {
				total += len(g.entries)
			}
			maxEntries = max(maxEntries, total)
		}
		// 90s of events (timespan plus lateness) at 10 per second, plus slack.
		if maxEntries > 1000 || len(c.deadlines) > 2000 {
			t.Errorf("%s: %d entries, %d deadlines: state is not expiring", corr, maxEntries, len(c.deadlines))
		}
		c.Advance(t0.Add(time.Hour))
		if len(k.groups) != 0 || len(c.deadlines) != 0 {
			t.Errorf("%s: %d groups and %d deadlines left after the watermark passed", corr, len(k.groups), len(c.deadlines))
		}
	}
}

func TestCorrelatorGenerates(t *testing.T) {
	c := correlator(t, "type: event_count\nrules: [a, b]\ntimespan: 1m\ncondition: {gte: 2}")
	if c.Generates("a") || !c.Generates("c") || !c.Generates("unknown") {
		t.Error("rules referenced with generate: false must be silent, others not")
	}
	c = correlator(t, "type: event_count\nrules: [a]\ntimespan: 1m\ncondition: {gte: 2}\ngenerate: true")
	if !c.Generates("a") {
		t.Error("generate: true keeps the referenced rule's matches")
	}
}

func TestNewCorrelatorErrors(t *testing.T) {
	rule := func(src string) *Rule {
		r, err := ParseRule([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := rule(ruleYAML("a", "sel:\n  x: 1\ncondition: sel"))
	c1 := rule("title: c1\nid: c1\ncorrelation:\n  type: temporal\n  rules: [a, missing]\n  timespan: 1m\n")
	c2 := rule("title: c2\nid: c2\ncorrelation:\n  type: temporal\n  rules: [a, c3]\n  timespan: 1m\n")
	c3 := rule("title: c3\nid: c3\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1m\n  condition: {gte: 1}\n")
	c4 := rule("title: c4\nid: c4\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [u]\n  timespan: 1m\n  condition: {gte: 1}\n  aliases:\n    u:\n      other: x\n")
	for _, tc := range []struct {
		rules []*Rule
		msg   string
	}{
		{[]*Rule{a, c1}, `unknown rule "missing"`},
		{[]*Rule{a, c2, c3}, "chaining is not supported"},
		{[]*Rule{a, c4}, `unknown rule "other"`},
	} {
		_, err := NewCorrelator(tc.rules)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("got %v, want an error containing %q", err, tc.msg)
		}
	}
}
