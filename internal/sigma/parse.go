package sigma

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseRule parses YAML holding exactly one rule.
func ParseRule(src []byte) (*Rule, error) {
	rules, errs := parseFile("", src)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if len(rules) != 1 {
		return nil, &Error{Msg: fmt.Sprintf("expected one rule, found %d", len(rules))}
	}
	return rules[0], nil
}

// ParseRules parses a rule file, which may hold several "---" separated rules.
// It returns the rules that are valid and one error per invalid document
// (each an *Error naming file and line), including duplicate ids.
func ParseRules(file string, src []byte) ([]*Rule, []error) {
	rules, errs := parseFile(file, src)
	rules, dupErrs := dedupe(rules)
	return rules, append(errs, dupErrs...)
}

func parseFile(file string, src []byte) ([]*Rule, []error) {
	var rules []*Rule
	var errs []error
	for _, d := range parseYAML(src) {
		err := d.err
		if err == nil {
			var r *Rule
			if r, err = parseRule(d.root); err == nil {
				r.File = file
				rules = append(rules, r)
				continue
			}
		}
		errs = append(errs, withFile(err, file))
	}
	if len(rules) == 0 && len(errs) == 0 {
		errs = append(errs, &Error{File: file, Msg: "no rule found"})
	}
	return rules, errs
}

var (
	validLevels   = []string{"informational", "low", "medium", "high", "critical"}
	validStatuses = []string{"stable", "test", "experimental", "deprecated", "unsupported"}
)

func parseRule(root *node) (*Rule, error) {
	if root.kind != mapNode {
		return nil, errAt(root, "a rule must be a map, not a %s", root.kind)
	}
	r := &Rule{Line: root.line}
	err := scalarFields(root, []stringField{
		{"id", &r.ID}, {"name", &r.Name}, {"title", &r.Title}, {"status", &r.Status},
		{"description", &r.Description}, {"level", &r.Level}, {"author", &r.Author},
		{"date", &r.Date}, {"modified", &r.Modified},
	})
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		key string
		dst *[]string
	}{{"tags", &r.Tags}, {"references", &r.References}, {"falsepositives", &r.FalsePositives}, {"fields", &r.Fields}} {
		if *f.dst, err = listField(root, f.key); err != nil {
			return nil, err
		}
	}
	switch {
	case r.Title == "":
		return nil, errAt(root, "rule has no title")
	case r.ID == "":
		return nil, errAt(root, "rule %q has no id", r.Title)
	case r.Level != "" && !slices.Contains(validLevels, r.Level):
		return nil, errAt(root.get("level"), "unknown level %q (want one of %s)", r.Level, strings.Join(validLevels, ", "))
	case r.Status != "" && !slices.Contains(validStatuses, r.Status):
		return nil, errAt(root.get("status"), "unknown status %q (want one of %s)", r.Status, strings.Join(validStatuses, ", "))
	case root.get("action") != nil:
		return nil, errAt(root.get("action"), "rule collections with action are not supported")
	}
	det, corr := root.get("detection"), root.get("correlation")
	switch {
	case det != nil && corr != nil:
		return nil, errAt(corr, "a rule cannot have both detection and correlation")
	case det != nil:
		if r.LogSource, err = parseLogSource(root); err != nil {
			return nil, err
		}
		r.detection, r.Condition, err = compileDetection(det)
	case corr != nil:
		r.Correlation, err = parseCorrelation(corr)
	default:
		return nil, errAt(root, "rule %q has neither detection nor correlation", r.ID)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

func parseLogSource(root *node) (LogSource, error) {
	var ls LogSource
	n := root.get("logsource")
	if n == nil || n.kind != mapNode {
		return ls, errAt(root, "detection rule has no logsource map")
	}
	err := scalarFields(n, []stringField{
		{"product", &ls.Product}, {"service", &ls.Service},
		{"category", &ls.Category}, {"definition", &ls.Definition},
	})
	return ls, err
}

type stringField struct {
	key string
	dst *string
}

// scalarFields reads map entries in order, so that the first error reported
// is deterministic.
func scalarFields(m *node, fields []stringField) error {
	for _, f := range fields {
		v, err := scalarField(m, f.key)
		if err != nil {
			return err
		}
		*f.dst = v
	}
	return nil
}

// scalarField returns a scalar entry of a map; absent and null are "".
func scalarField(m *node, key string) (string, error) {
	v := m.get(key)
	if v == nil || v.kind == nullNode {
		return "", nil
	}
	if v.kind != scalarNode {
		return "", errAt(v, "%s must be a string, not a %s", key, v.kind)
	}
	return v.text, nil
}

// listField returns a list-of-strings entry of a map; a lone string is a
// one-element list.
func listField(m *node, key string) ([]string, error) {
	v := m.get(key)
	if v == nil || v.kind == nullNode {
		return nil, nil
	}
	if v.kind == scalarNode {
		return []string{v.text}, nil
	}
	if v.kind != seqNode {
		return nil, errAt(v, "%s must be a list of strings, not a %s", key, v.kind)
	}
	out := make([]string, 0, len(v.items))
	for _, item := range v.items {
		if item.kind != scalarNode {
			return nil, errAt(item, "%s must be a list of strings", key)
		}
		out = append(out, item.text)
	}
	return out, nil
}

var correlationKeys = []string{"type", "rules", "absent", "group-by", "timespan", "timeframe", "condition", "generate", "aliases"}

func parseCorrelation(n *node) (*Correlation, error) {
	if n.kind != mapNode {
		return nil, errAt(n, "correlation must be a map, not a %s", n.kind)
	}
	for _, k := range n.keys {
		if !slices.Contains(correlationKeys, k.text) {
			return nil, errAt(k, "unknown correlation key %q", k.text)
		}
	}
	c := &Correlation{}
	typ, err := scalarField(n, "type")
	if err != nil {
		return nil, err
	}
	c.Type = CorrelationType(typ)
	if !slices.Contains([]CorrelationType{EventCount, ValueCount, Temporal, TemporalOrdered, Absence}, c.Type) {
		return nil, errAt(n, "unknown correlation type %q", typ)
	}
	if c.Rules, err = listField(n, "rules"); err != nil {
		return nil, err
	}
	if len(c.Rules) == 0 {
		return nil, errAt(n, "correlation has no rules")
	}
	if c.GroupBy, err = listField(n, "group-by"); err != nil {
		return nil, err
	}
	if c.Absent, err = listField(n, "absent"); err != nil {
		return nil, err
	}
	if (c.Type == Absence) != (len(c.Absent) > 0) {
		return nil, errAt(n, "absent lists the closing rules of, and only of, an absence correlation")
	}
	span := n.get("timespan")
	if span == nil {
		span = n.get("timeframe")
	}
	if span == nil {
		return nil, errAt(n, "correlation has no timespan")
	}
	if c.Timespan, err = parseTimespan(span.text); err != nil {
		return nil, errAt(span, "%v", err)
	}
	if g := n.get("generate"); g != nil {
		if c.Generate, err = strconv.ParseBool(g.text); err != nil {
			return nil, errAt(g, "generate must be true or false")
		}
	}
	if c.Aliases, err = parseAliases(n.get("aliases")); err != nil {
		return nil, err
	}
	if err := parseCountCondition(n, c); err != nil {
		return nil, err
	}
	return c, nil
}

func parseCountCondition(n *node, c *Correlation) error {
	cond := n.get("condition")
	c.Condition = CountCondition{Max: math.MaxInt64}
	switch {
	case cond == nil && c.Type == Temporal, cond == nil && c.Type == TemporalOrdered:
		c.Condition.Min = int64(len(c.Rules))
		return nil
	case cond == nil && c.Type == Absence:
		return nil
	case cond == nil:
		return errAt(n, "%s correlation needs a condition", c.Type)
	case c.Type == Absence:
		return errAt(cond, "absence correlations take no condition")
	case cond.kind != mapNode:
		return errAt(cond, "condition must be a map such as {gte: 10}")
	}
	ops := 0
	for i, k := range cond.keys {
		v := cond.items[i]
		if k.text == "field" {
			c.Condition.Field = v.text
			continue
		}
		x, err := strconv.ParseInt(v.text, 10, 64)
		if err != nil || x < 0 {
			return errAt(v, "condition %s needs a non-negative integer", k.text)
		}
		ops++
		switch k.text {
		case "gt":
			c.Condition.Min = max(c.Condition.Min, x+1)
		case "gte":
			c.Condition.Min = max(c.Condition.Min, x)
		case "lt":
			c.Condition.Max = min(c.Condition.Max, x-1)
		case "lte":
			c.Condition.Max = min(c.Condition.Max, x)
		case "eq":
			c.Condition.Min = max(c.Condition.Min, x)
			c.Condition.Max = min(c.Condition.Max, x)
		default:
			return errAt(k, "unknown condition operator %q", k.text)
		}
	}
	switch {
	case ops == 0:
		return errAt(cond, "condition needs gt, gte, lt, lte or eq")
	case c.Condition.Min > c.Condition.Max:
		return errAt(cond, "condition can never hold")
	case c.Type == ValueCount && c.Condition.Field == "":
		return errAt(cond, "value_count condition needs a field")
	case c.Type != ValueCount && c.Condition.Field != "":
		return errAt(cond, "only value_count conditions take a field")
	}
	return nil
}

func parseAliases(n *node) (map[string]map[string]string, error) {
	if n == nil {
		return nil, nil
	}
	if n.kind != mapNode {
		return nil, errAt(n, "aliases must be a map")
	}
	out := map[string]map[string]string{}
	for i, alias := range n.keys {
		m := n.items[i]
		if m.kind != mapNode {
			return nil, errAt(m, "alias %q must map rules to field names", alias.text)
		}
		out[alias.text] = map[string]string{}
		for j, rule := range m.keys {
			if m.items[j].kind != scalarNode {
				return nil, errAt(m.items[j], "alias %q: field name expected", alias.text)
			}
			out[alias.text][rule.text] = m.items[j].text
		}
	}
	return out, nil
}

var timespanRE = regexp.MustCompile(`^([0-9]+)([smhdw])$`)

// parseTimespan reads Sigma durations: a count of s, m, h, d or w.
func parseTimespan(s string) (time.Duration, error) {
	m := timespanRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("invalid timespan %q (want e.g. 30s, 5m, 1h, 1d, 1w)", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("invalid timespan %q", s)
	}
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}
