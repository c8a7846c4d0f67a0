package sigma

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	gojson "github.com/goccy/go-json"
)

// naiveMatch is the reference for RuleSet.Match: every rule, in order.
func naiveMatch(rules []*Rule, ev Event) []*Rule {
	var out []*Rule
	for _, r := range rules {
		if r.Match(ev) {
			out = append(out, r)
		}
	}
	return out
}

func TestRuleSetMatchesNaiveEvaluation(t *testing.T) {
	rules, _ := loadSigmaHQ(t)
	rules = append(rules, ourRules(t)...)
	rs, err := NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	events := []*MapEvent{
		decodeEvent(t, `{"eventSource":"cloudtrail.amazonaws.com","eventName":"stoplogging"}`),
		decodeEvent(t, `{"eventSource":"cloudtrail.amazonaws.com","eventName":["DescribeTrails","StopLogging"]}`),
		decodeEvent(t, `{"eventSource":"cloudtrail.amazonaws.com","eventName":{"name":"StopLogging"}}`),
		decodeEvent(t, `{"eventSource":"cloudtrail.amazonaws.com","eventName":null}`),
		decodeEvent(t, `{"eventSource":"cloudtrail.amazonaws.com"}`),
		decodeEvent(t, `{"eventSource":"x.amazonaws.com","eventName":"`+strings.Repeat("StopLogging", 10)+`"}`),
		decodeEvent(t, `{"eventSource":"x.amazonaws.com","eventName":"StöpLogging"}`),
		decodeEvent(t, `{"eventSource":"BENCH1.AMAZONAWS.COM","eventName":"Other"}`),
	}
	for _, s := range loadSamples(t) {
		events = append(events, s.events...)
	}
	matched := 0
	var dst []*Rule
	for _, ev := range events {
		dst = rs.Match(ev, dst[:0])
		if want := naiveMatch(rules, ev); !slices.Equal(dst, want) {
			t.Errorf("%v: RuleSet %v, naive %v", ev.Fields["eventName"], titles(dst), titles(want))
		}
		matched += len(dst)
	}
	if matched < 100 {
		t.Errorf("only %d matches over %d events: the comparison is too weak", matched, len(events))
	}
}

func TestRuleSetIndexing(t *testing.T) {
	rules := []*Rule{
		detectionRule(t, "sel:\n  eventSource: cloudtrail.amazonaws.com\n  eventName: [StopLogging, DeleteTrail]\ncondition: sel"),
		detectionRule(t, "sel:\n  eventSource: ec2.amazonaws.com\ncondition: sel"),
		detectionRule(t, "a:\n  eventName: A\nb:\n  eventName: B\n  x: 1\ncondition: a or b"),
		detectionRule(t, "a:\n  eventName: A\nb:\n  x: 1\ncondition: a or b"),
		detectionRule(t, "a:\n  eventName: A\ncondition: not a"),
		detectionRule(t, "a:\n  eventName|startswith: A\ncondition: a"),
		detectionRule(t, "a:\n  eventName|contains|all: [A, B]\ncondition: a"),
	}
	for i, r := range rules {
		r.ID = fmt.Sprint("r", i)
	}
	rs, err := NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rs.indexes[0].byValue, map[string][]int32{"stoplogging": {0}, "deletetrail": {0}, "a": {2}, "b": {2}}; !equalIndex(got, want) {
		t.Errorf("eventName index = %v, want %v", got, want)
	}
	if got, want := rs.indexes[1].byValue, map[string][]int32{"ec2.amazonaws.com": {1}}; !equalIndex(got, want) {
		t.Errorf("eventSource index = %v, want %v", got, want)
	}
	if got, want := rs.unindexed, []int32{3, 4, 5, 6}; !slices.Equal(got, want) {
		t.Errorf("unindexed = %v, want %v", got, want)
	}
	if _, err := NewRuleSet(append(rules, rules[0])); err == nil {
		t.Error("duplicate ids must be rejected")
	}
	if rs, _ := NewRuleSet(rules, WithIndexFields()); len(rs.unindexed) != len(rules) {
		t.Error("no index fields: every rule runs on every event")
	}
}

func TestRuleSetMatchDoesNotAllocate(t *testing.T) {
	rules, _ := loadSigmaHQ(t)
	rs, err := NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	ev := decodeEvent(t, `{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userAgent":"aws-cli/2",
		"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"sessionIssuer":{"type":"Role"}}},
		"sourceIPAddress":"203.0.113.1","requestParameters":{"name":"trail"}}`)
	dst := make([]*Rule, 0, 8)
	if n := testing.AllocsPerRun(100, func() { dst = rs.Match(ev, dst[:0]) }); n != 0 {
		t.Errorf("Match allocates %v times per event", n)
	}
	if len(dst) != 2 {
		t.Errorf("matched %v, want disable_logging and assumerole_misuse", titles(dst))
	}
}

func equalIndex(a, b map[string][]int32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func titles(rules []*Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Title)
	}
	return out
}

// ourRules stands in for the ~60 rules of our own to come: 50 pinned to
// API calls with extra conditions, 10 unindexed.
func ourRules(tb testing.TB) []*Rule {
	var rules []*Rule
	for i := range 60 {
		det := fmt.Sprintf("sel:\n  eventSource: bench%d.amazonaws.com\n  eventName: [Create%d, Delete%d]\n"+
			"  requestParameters|contains: 'policy%d'\nfilter:\n  errorCode: null\ncondition: sel and filter", i%7, i, i, i)
		if i >= 50 {
			det = fmt.Sprintf("sel:\n  userAgent|contains: 'tool-%d'\n  userIdentity.arn|endswith: ':root'\ncondition: sel", i)
		}
		r, err := ParseRule([]byte(ruleYAML(fmt.Sprint("ours-", i), det)))
		if err != nil {
			tb.Fatal(err)
		}
		rules = append(rules, r)
	}
	return rules
}

func benchRuleSet(b *testing.B, withOurs bool, opts ...RuleSetOption) *RuleSet {
	rules, _ := loadSigmaHQ(b)
	if withOurs {
		rules = append(rules, ourRules(b)...)
	}
	rs, err := NewRuleSet(rules, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return rs
}

func benchEvents(b *testing.B) []*MapEvent {
	var events []*MapEvent
	for _, s := range loadSamples(b) {
		events = append(events, s.events...)
	}
	return events
}

// BenchmarkRuleSetMatch runs the SigmaHQ rules, alone and with 60 more,
// over the ~1,100 real sample events; one op is one event.
func BenchmarkRuleSetMatch(b *testing.B) {
	for _, withOurs := range []bool{false, true} {
		b.Run(fmt.Sprintf("rules=%d", 57+60*btoi(withOurs)), func(b *testing.B) {
			rs := benchRuleSet(b, withOurs)
			events := benchEvents(b)
			dst := make([]*Rule, 0, 16)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				dst = rs.Match(events[i%len(events)], dst[:0])
				i++
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkRuleSetMatchNonMatching only feeds events no rule matches.
func BenchmarkRuleSetMatchNonMatching(b *testing.B) {
	rs := benchRuleSet(b, true)
	var events []*MapEvent
	for _, ev := range benchEvents(b) {
		if len(rs.Match(ev, nil)) == 0 {
			events = append(events, ev)
		}
	}
	dst := make([]*Rule, 0, 16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dst = rs.Match(events[i%len(events)], dst[:0])
		i++
	}
}

// BenchmarkRuleSetMatchNoIndex shows what the prefilter saves.
func BenchmarkRuleSetMatchNoIndex(b *testing.B) {
	rs := benchRuleSet(b, true, WithIndexFields())
	events := benchEvents(b)
	dst := make([]*Rule, 0, 16)
	i := 0
	for b.Loop() {
		dst = rs.Match(events[i%len(events)], dst[:0])
		i++
	}
}

// BenchmarkRuleSetDecodeAndMatch measures the whole per-event cost, JSON
// decoding (goccy/go-json) included, on all cores: run with -cpu 2 for the
// two-core throughput.
func BenchmarkRuleSetDecodeAndMatch(b *testing.B) {
	rs := benchRuleSet(b, true)
	var raws [][]byte
	for _, ev := range benchEvents(b) {
		raw, err := json.Marshal(ev.Fields)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, raw)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		dst := make([]*Rule, 0, 16)
		i := 0
		for pb.Next() {
			raw := raws[i%len(raws)]
			i++
			var m map[string]any
			if err := gojson.Unmarshal(raw, &m); err != nil {
				b.Error(err)
				return
			}
			dst = rs.Match(&MapEvent{Fields: m, Raw: raw}, dst[:0])
		}
	})
}

func TestRuleSetConcurrentMatch(t *testing.T) {
	rules, _ := loadSigmaHQ(t)
	rs, err := NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	var events []*MapEvent
	for _, s := range loadSamples(t) {
		events = append(events, s.events...)
	}
	want := make([][]*Rule, len(events))
	for i, ev := range events {
		want[i] = rs.Match(ev, nil)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for i, ev := range events {
				if got := rs.Match(ev, nil); !slices.Equal(got, want[i]) {
					errs <- fmt.Errorf("event %d: %v, want %v", i, titles(got), titles(want[i]))
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
