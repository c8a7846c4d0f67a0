package sigma

import (
	"math"
	"strings"
	"time"
)

// Rule is a parsed Sigma rule: either a detection rule (Correlation == nil),
// whose detection is compiled and evaluated with Match, or a correlation rule,
// evaluated by a Correlator.
type Rule struct {
	ID             string
	Name           string // optional Sigma v2 name, usable in correlation references
	Title          string
	Status         string
	Description    string
	Level          string
	Author         string
	Date           string
	Modified       string
	Tags           []string
	References     []string
	FalsePositives []string
	Fields         []string
	LogSource      LogSource
	// Condition holds the detection condition(s) as written; several
	// conditions are OR-ed.
	Condition   []string
	Correlation *Correlation

	// File and Line locate the rule's document.
	File string
	Line int

	detection expr
}

// LogSource is the logsource section of a detection rule.
type LogSource struct {
	Product    string
	Service    string
	Category   string
	Definition string
}

// CorrelationType is the type of a correlation rule.
type CorrelationType string

// Correlation types. Absence is an extension of this package (see the package
// documentation).
const (
	EventCount      CorrelationType = "event_count"
	ValueCount      CorrelationType = "value_count"
	Temporal        CorrelationType = "temporal"
	TemporalOrdered CorrelationType = "temporal_ordered"
	Absence         CorrelationType = "absence"
)

// Correlation is the correlation section of a correlation rule.
type Correlation struct {
	Type CorrelationType
	// Rules are the referenced rules (by id or name). For Absence they are the
	// rules that open a window.
	Rules []string
	// Absent lists, for Absence only, the rules whose matches close a window
	// without an alert.
	Absent   []string
	GroupBy  []string
	Timespan time.Duration
	// Condition bounds the measured count; Temporal defaults to all rules.
	Condition CountCondition
	Generate  bool
	// Aliases maps an alias field name to the field it stands for in each
	// referenced rule: Aliases[alias][ruleRef] = field.
	Aliases map[string]map[string]string
}

// CountCondition is an inclusive range of counts: gt/gte/lt/lte/eq of the rule
// are all folded into [Min, Max]. Max is math.MaxInt64 when unbounded. Field
// is the counted field of a value_count correlation.
type CountCondition struct {
	Field string
	Min   int64
	Max   int64
}

// Match reports whether the event satisfies the rule's detection. It is
// always false for correlation rules. Match is safe for concurrent use.
func (r *Rule) Match(ev Event) bool {
	if r.detection == nil {
		return false
	}
	c := newCtx(ev, false)
	defer c.release()
	return r.detection.eval(c)
}

// AttackTechniques returns the MITRE ATT&CK technique ids of the rule's
// attack.tNNNN tags, upper-cased ("T1098", "T1078.004").
func (r *Rule) AttackTechniques() []string {
	var out []string
	for _, t := range r.Tags {
		if id, ok := attackID(t); ok && id[0] == 't' {
			out = append(out, strings.ToUpper(id))
		}
	}
	return out
}

// AttackTactics returns the MITRE ATT&CK tactics of the rule's attack.* tags
// ("persistence", "privilege-escalation").
func (r *Rule) AttackTactics() []string {
	var out []string
	for _, t := range r.Tags {
		name, ok := strings.CutPrefix(strings.ToLower(t), "attack.")
		if _, isID := attackID(t); ok && !isID && name != "" {
			out = append(out, name)
		}
	}
	return out
}

// attackID returns the lower-cased id of attack.tNNNN, attack.gNNNN or
// attack.sNNNN tags (techniques, groups, software).
func attackID(tag string) (string, bool) {
	id, ok := strings.CutPrefix(strings.ToLower(tag), "attack.")
	if !ok || len(id) < 2 || !strings.ContainsRune("tgs", rune(id[0])) {
		return "", false
	}
	for _, c := range id[1:] {
		if (c < '0' || c > '9') && c != '.' {
			return "", false
		}
	}
	return id, true
}

// bounded reports whether the condition has an upper bound, which can only be
// decided once a window is closed.
func (c CountCondition) bounded() bool { return c.Max != math.MaxInt64 }

func (c CountCondition) holds(n int64) bool { return n >= c.Min && n <= c.Max }
