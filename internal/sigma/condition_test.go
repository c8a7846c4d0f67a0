package sigma

import (
	"fmt"
	"testing"
)

// TestConditions evaluates conditions over searches a, b, c and _d for every
// combination of their truth: search x holds when field x is "1".
func TestConditions(t *testing.T) {
	const searches = "a:\n  a: 1\nb:\n  b: 1\nc:\n  c: 1\n_d:\n  d: 1\n"
	// Reference semantics, written independently of the parser.
	tests := []struct {
		condition string
		want      func(a, b, c, d bool) bool
	}{
		{"a or b and c", func(a, b, c, d bool) bool { return a || (b && c) }},
		{"(a or b) and c", func(a, b, c, d bool) bool { return (a || b) && c }},
		{"not a and b", func(a, b, c, d bool) bool { return !a && b }},
		{"not (a and b)", func(a, b, c, d bool) bool { return !(a && b) }},
		{"a and not b or c", func(a, b, c, d bool) bool { return (a && !b) || c }},
		{"not not a", func(a, b, c, d bool) bool { return a }},
		{"1 of them", func(a, b, c, d bool) bool { return a || b || c }}, // _d is not in them
		{"any of them", func(a, b, c, d bool) bool { return a || b || c }},
		{"all of them", func(a, b, c, d bool) bool { return a && b && c }},
		{"1 of _*", func(a, b, c, d bool) bool { return d }},
		{"all of *", func(a, b, c, d bool) bool { return a && b && c && d }},
		{"a and (b or (c and _d))", func(a, b, c, d bool) bool { return a && (b || (c && d)) }},
	}
	for _, tc := range tests {
		r := detectionRule(t, searches+"condition: "+tc.condition)
		for mask := range 16 {
			bit := func(i int) bool { return mask&(1<<i) != 0 }
			ev := map[string]any{}
			for i, f := range []string{"a", "b", "c", "d"} {
				if bit(i) {
					ev[f] = "1"
				}
			}
			want := tc.want(bit(0), bit(1), bit(2), bit(3))
			if got := r.Match(&MapEvent{Fields: ev}); got != want {
				t.Errorf("%q with %v: got %v, want %v", tc.condition, ev, got, want)
			}
		}
	}
}

func TestConditionQuantifierPatterns(t *testing.T) {
	det := "selection_event:\n  eventName: DeleteBucket\nselection_status_success:\n  errorCode: Success\n" +
		"selection_status_null:\n  errorCode: null\ncondition: selection_event and 1 of selection_status_*"
	r := detectionRule(t, det)
	for ev, want := range map[string]bool{
		`{"eventName":"DeleteBucket"}`:                            true,
		`{"eventName":"DeleteBucket","errorCode":"Success"}`:      true,
		`{"eventName":"DeleteBucket","errorCode":"NoSuchBucket"}`: false,
		`{"eventName":"CreateBucket"}`:                            false,
	} {
		if got := r.Match(decodeEvent(t, ev)); got != want {
			t.Errorf("%s: got %v, want %v", ev, got, want)
		}
	}
	all := detectionRule(t, "sel_a:\n  a: 1\nsel_b:\n  b: 1\nother:\n  c: 1\ncondition: all of sel_*")
	if !all.Match(decodeEvent(t, `{"a":1,"b":1}`)) || all.Match(decodeEvent(t, `{"a":1,"c":1}`)) {
		t.Error("all of sel_* should require sel_a and sel_b only")
	}
}

func TestConditionList(t *testing.T) {
	r := detectionRule(t, "a:\n  a: 1\nb:\n  b: 1\ncondition:\n  - a\n  - b")
	if !r.Match(decodeEvent(t, `{"b":1}`)) || r.Match(decodeEvent(t, `{"c":1}`)) {
		t.Error("a list of conditions is their OR")
	}
	if fmt.Sprint(r.Condition) != "[a b]" {
		t.Errorf("Condition = %v", r.Condition)
	}
}
