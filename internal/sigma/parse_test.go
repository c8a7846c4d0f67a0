package sigma

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const fullRule = `title: Full Rule
id: 11111111-2222-3333-4444-555555555555
name: full_rule
status: test
description: |
  Multi-line
  description.
references:
    - https://example.com/a
author: Someone
date: 2024-01-02
modified: 2024-02-03
tags:
    - attack.persistence
    - attack.privilege-escalation
    - attack.t1098
    - attack.t1078.004
    - attack.g0016
    - cve.2024-1234
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: CreateAccessKey
    condition: selection
fields:
    - userIdentity.arn
falsepositives: Unlikely
level: high
`

func TestParseMetadata(t *testing.T) {
	r, err := ParseRule([]byte(fullRule))
	if err != nil {
		t.Fatal(err)
	}
	want := Rule{
		ID: "11111111-2222-3333-4444-555555555555", Name: "full_rule", Title: "Full Rule", Status: "test",
		Description: "Multi-line\ndescription.\n", Level: "high", Author: "Someone", Date: "2024-01-02", Modified: "2024-02-03",
		Tags:       []string{"attack.persistence", "attack.privilege-escalation", "attack.t1098", "attack.t1078.004", "attack.g0016", "cve.2024-1234"},
		References: []string{"https://example.com/a"}, FalsePositives: []string{"Unlikely"}, Fields: []string{"userIdentity.arn"},
		LogSource: LogSource{Product: "aws", Service: "cloudtrail"}, Condition: []string{"selection"}, Line: 1,
	}
	got := *r
	got.detection = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got, want := r.AttackTechniques(), []string{"T1098", "T1078.004"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AttackTechniques = %v, want %v", got, want)
	}
	if got, want := r.AttackTactics(), []string{"persistence", "privilege-escalation"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AttackTactics = %v, want %v", got, want)
	}
}

func TestParseCorrelation(t *testing.T) {
	src := `title: Many failed logins
id: corr-1
correlation:
    type: value_count
    rules:
        - failed_login
    group-by:
        - user
    timespan: 15m
    condition:
        field: sourceIPAddress
        gte: 3
        lt: 10
    aliases:
        user:
            failed_login: userIdentity.userName
    generate: true
level: high
`
	r, err := ParseRule([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Correlation{
		Type: ValueCount, Rules: []string{"failed_login"}, GroupBy: []string{"user"}, Timespan: 15 * time.Minute,
		Condition: CountCondition{Field: "sourceIPAddress", Min: 3, Max: 9}, Generate: true,
		Aliases: map[string]map[string]string{"user": {"failed_login": "userIdentity.userName"}},
	}
	if !reflect.DeepEqual(r.Correlation, want) {
		t.Errorf("got  %+v\nwant %+v", r.Correlation, want)
	}
	if r.Match(decodeEvent(t, `{"user":"x"}`)) {
		t.Error("correlation rules never match events")
	}
	temporal, err := ParseRule([]byte("title: t\nid: t\ncorrelation:\n  type: temporal\n  rules: [a, b, c]\n  timespan: 1h\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c := temporal.Correlation.Condition; c.Min != 3 || c.Max != math.MaxInt64 {
		t.Errorf("temporal default condition = %+v, want all 3 rules", c)
	}
}

func TestParseErrors(t *testing.T) {
	det := func(detection string) string { return ruleYAML("x", detection) }
	// ruleYAML puts the detection body from line 6 on.
	tests := []struct {
		name string
		src  string
		line int
		col  int // 0: not checked
		msg  string
	}{
		{"unknown modifier", det("sel:\n  eventName|contain: x\ncondition: sel"), 7, 5, `unknown modifier "contain"`},
		{"modifier conflict", det("sel:\n  a|contains|startswith: x\ncondition: sel"), 7, 0, "conflicts"},
		{"re flag without re", det("sel:\n  a|i: x\ncondition: sel"), 7, 0, "only valid after re"},
		{"bad regexp", det("sel:\n  a|re: '(unclosed'\ncondition: sel"), 7, 11, "invalid regular expression"},
		{"bad cidr", det("sel:\n  a|cidr: 10.0.0.0/33\ncondition: sel"), 7, 0, "invalid CIDR"},
		{"exists needs a boolean", det("sel:\n  a|exists: maybe\ncondition: sel"), 7, 0, "exists takes true or false"},
		{"null with modifier", det("sel:\n  a|contains: null\ncondition: sel"), 7, 0, "null cannot be combined"},
		{"gt needs a number", det("sel:\n  a|gt: many\ncondition: sel"), 7, 0, "gt needs a number"},
		{"base64 with wildcard", det("sel:\n  a|base64: 'x*'\ncondition: sel"), 7, 0, "cannot encode a value with wildcards"},
		{"nested map value", det("sel:\n  a:\n    b: c\ncondition: sel"), 8, 0, "not a map"},
		{"unknown identifier", det("selection:\n  a: 1\ncondition: selection and filter"), 8, 28, `unknown search identifier "filter"`},
		{"unknown identifier, quoted", det("selection:\n  a: 1\ncondition: 'selection or nope'"), 8, 28, `unknown search identifier "nope"`},
		{"unbalanced parenthesis", det("a:\n  a: 1\ncondition: (a"), 8, 0, "missing )"},
		{"dangling operator", det("a:\n  a: 1\ncondition: a and"), 8, 0, "unexpected end"},
		{"quantifier matches nothing", det("a:\n  a: 1\ncondition: 1 of sel*"), 8, 0, `no search identifier matches "sel*"`},
		{"unsupported quantifier", det("a:\n  a: 1\ncondition: 2 of them"), 8, 0, "unsupported quantifier"},
		{"aggregation", det("a:\n  a: 1\ncondition: a | count() > 5"), 8, 0, "aggregations"},
		{"missing condition", det("a:\n  a: 1"), 6, 0, "no condition"},
		{"empty selection", det("a: []\ncondition: a"), 6, 0, "is empty"},
		{"timeframe", det("a:\n  a: 1\ntimeframe: 5m\ncondition: a"), 8, 0, "timeframe is not supported"},
		{"missing id", "title: t\nlogsource: {}\ndetection:\n  a: {a: 1}\n  condition: a\n", 1, 0, "has no id"},
		{"missing title", "id: x\n", 1, 0, "has no title"},
		{"bad level", "title: t\nid: x\nlevel: severe\n", 3, 8, `unknown level "severe"`},
		{"no detection", "title: t\nid: x\n", 1, 0, "neither detection nor correlation"},
		{"no logsource", "title: t\nid: x\ndetection:\n  a: {a: 1}\n  condition: a\n", 1, 0, "no logsource"},
		{"tags not a list", "title: t\nid: x\ntags: {a: 1}\n", 3, 0, "tags must be a list"},
		{"not a map", "- a\n- b\n", 1, 0, "must be a map"},
		{"YAML syntax", "title: t\nid: x\ndetection:\n  a: [1, 2\n  condition: a\n", 5, 0, "invalid YAML"},
		{"duplicate key", "title: t\nid: x\nid: y\n", 3, 0, "invalid YAML"},
		{"unknown alias", "title: *nope\nid: x\n", 1, 0, "unknown YAML alias"},
		{"correlation without timespan", "title: t\nid: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  condition: {gte: 1}\n", 4, 0, "no timespan"},
		{"bad timespan", "title: t\nid: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5 minutes\n  condition: {gte: 1}\n", 6, 13, "invalid timespan"},
		{"bad correlation type", "title: t\nid: x\ncorrelation:\n  type: sum\n  rules: [a]\n  timespan: 5m\n", 4, 0, `unknown correlation type "sum"`},
		{"impossible condition", "title: t\nid: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gt: 5, lt: 3}\n", 7, 0, "never hold"},
		{"value_count without field", "title: t\nid: x\ncorrelation:\n  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: {gt: 5}\n", 7, 0, "needs a field"},
		{"absence without absent", "title: t\nid: x\ncorrelation:\n  type: absence\n  rules: [a]\n  timespan: 5m\n", 4, 0, "absent"},
		{"unknown correlation key", "title: t\nid: x\ncorrelation:\n  type: temporal\n  rules: [a]\n  timespan: 5m\n  within: 3\n", 7, 3, `unknown correlation key "within"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRule([]byte(tc.src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if e.Line != tc.line || tc.col != 0 && e.Column != tc.col || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %q (line %d col %d), want line %d col %d containing %q", err, e.Line, e.Column, tc.line, tc.col, tc.msg)
			}
		})
	}
}

func TestParseMultiDocument(t *testing.T) {
	src := ruleYAML("first", "a:\n  a: 1\ncondition: a") +
		"---\n" + ruleYAML("second", "a:\n  a|bogus: 1\ncondition: a") +
		"---\n" + "title: third\nid: third\nbroken: [\n" +
		"---\n" + "title: corr\nid: corr\ncorrelation:\n  type: event_count\n  rules: [first]\n  timespan: 1h\n  condition: {gte: 2}\n" +
		"...\n"
	rules, errs := ParseRules("multi.yml", []byte(src))
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	if !reflect.DeepEqual(ids, []string{"first", "corr"}) {
		t.Errorf("rules = %v, want [first corr]", ids)
	}
	want := []string{"multi.yml:16:5: a|bogus: unknown modifier", "multi.yml:21:"}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], w)
		}
	}
	if rules[1].Line != 23 || rules[1].File != "multi.yml" {
		t.Errorf("corr located at %s:%d", rules[1].File, rules[1].Line)
	}
}

func TestLoadDir(t *testing.T) {
	fsys := fstest.MapFS{
		"rules/a.yml":        {Data: []byte(ruleYAML("dup", "a:\n  a: 1\ncondition: a"))},
		"rules/b.yaml":       {Data: []byte(ruleYAML("unique", "a:\n  a: 1\ncondition: a"))},
		"rules/sub/c.yml":    {Data: []byte(ruleYAML("dup", "a:\n  b: 1\ncondition: a"))},
		"rules/sub/bad.yml":  {Data: []byte("title: [\n")},
		"rules/empty.yml":    {Data: []byte("# nothing\n")},
		"rules/readme.md":    {Data: []byte("not a rule")},
		"rules/sub/name.yml": {Data: []byte("title: n\nid: other\nname: unique\nlogsource: {}\ndetection: {a: {a: 1}, condition: a}\n")},
	}
	rules, errs := LoadDir(fsys, "rules")
	var files []string
	for _, r := range rules {
		files = append(files, r.File)
	}
	if want := []string{"rules/a.yml", "rules/b.yaml"}; !reflect.DeepEqual(files, want) {
		t.Errorf("loaded %v, want %v", files, want)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	got := strings.Join(msgs, "\n")
	for _, w := range []string{
		"rules/empty.yml: no rule found",
		"rules/sub/bad.yml:1",
		`rules/sub/c.yml:1: duplicate rule id "dup" (first defined at rules/a.yml:1)`,
		`rules/sub/name.yml:1: duplicate rule name "unique"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("errors lack %q:\n%s", w, got)
		}
	}
	if len(errs) != 4 {
		t.Errorf("got %d errors, want 4:\n%s", len(errs), got)
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/good.yml"
	writeFile(t, good, ruleYAML("g", "a:\n  a: 1\ncondition: a"))
	rules, errs := LoadFiles(good, dir+"/missing.yml")
	if len(rules) != 1 || len(errs) != 1 {
		t.Errorf("got %d rules, errors %v", len(rules), errs)
	}
}
