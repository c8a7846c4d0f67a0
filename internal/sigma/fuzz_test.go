package sigma

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseRule checks that no input makes the parser or the compiled
// matcher panic, and that every failure is a located *Error.
func FuzzParseRule(f *testing.F) {
	if dir, ok := findSharedData("sigma-aws-cloudtrail"); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(src)
			}
		}
	}
	f.Add([]byte(ruleYAML("x", "sel:\n  a|contains|all: [x, 'y*']\n  b: null\nfilter:\n  c|re|i: '^a.+b'\ncondition: 1 of sel* and not filter")))
	f.Add([]byte(ruleYAML("x", "kw:\n  - 'a?b'\n  - 5\ncondition: all of them")))
	f.Add([]byte("title: t\nid: c\ncorrelation:\n  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: {field: f, gte: 2}\n"))
	f.Add([]byte("title: a\n---\n- b\n...\n"))
	events := []Event{
		&MapEvent{Fields: map[string]any{}},
		&MapEvent{Fields: map[string]any{"a": "xy", "b": nil, "c": []any{"ab", 1.0, map[string]any{"d": true}}}},
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r, err := ParseRule(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 0 || e.Msg == "" {
				t.Fatalf("error %v is not a located *Error", err)
			}
			return
		}
		if r.ID == "" || r.Title == "" || (r.detection == nil) == (r.Correlation == nil) {
			t.Fatalf("accepted an incomplete rule: %+v", r)
		}
		for _, ev := range events {
			r.Match(ev)
		}
	})
}
