package sigma

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// defaultIndexFields are the fields a RuleSet indexes rules by: CloudTrail
// rules nearly always pin the API call or the service.
var defaultIndexFields = []string{"eventName", "eventSource"}

// RuleSet evaluates many detection rules against events. Rules whose
// condition requires an index field to equal one of a finite set of values
// are only run for events carrying one of those values; the others run on
// every event. A RuleSet is safe for concurrent use.
type RuleSet struct {
	rules     []*Rule
	pos       map[*Rule]int32 // position in rules
	indexes   []ruleIndex
	unindexed []int32 // positions in rules
}

type ruleIndex struct {
	field   fieldPath
	byValue map[string][]int32 // lower-cased value -> rule positions, ascending
	all     []int32            // every rule indexed here, for non-string values
}

// RuleSetOption configures NewRuleSet.
type RuleSetOption func(*[]string)

// WithIndexFields replaces the index fields, eventName and eventSource by
// default; earlier fields are preferred, and none disables the prefilter.
// Each costs one lookup per event.
func WithIndexFields(fields ...string) RuleSetOption {
	return func(f *[]string) { *f = fields }
}

// NewRuleSet compiles a rule set from the detection rules among rules;
// correlation rules are skipped (see NewCorrelator). Match reports rules in
// the order given here. Rule ids must be unique.
func NewRuleSet(rules []*Rule, opts ...RuleSetOption) (*RuleSet, error) {
	fields := defaultIndexFields
	for _, o := range opts {
		o(&fields)
	}
	rs := &RuleSet{pos: map[*Rule]int32{}}
	for _, f := range fields {
		rs.indexes = append(rs.indexes, ruleIndex{field: newFieldPath(f), byValue: map[string][]int32{}})
	}
	ids := map[string]bool{}
	for _, r := range rules {
		if r.detection == nil {
			continue
		}
		if ids[r.ID] {
			return nil, fmt.Errorf("sigma: duplicate rule id %q", r.ID)
		}
		ids[r.ID] = true
		pos := int32(len(rs.rules))
		rs.rules = append(rs.rules, r)
		rs.pos[r] = pos
		rs.add(pos, r, fields)
	}
	return rs, nil
}

func (rs *RuleSet) add(pos int32, r *Rule, fields []string) {
	for i, f := range fields {
		values, ok := requiredValues(r.detection, f)
		if !ok {
			continue
		}
		ix := &rs.indexes[i]
		seen := map[string]bool{}
		for _, v := range values {
			if !seen[v] {
				seen[v] = true
				ix.byValue[v] = append(ix.byValue[v], pos)
			}
		}
		ix.all = append(ix.all, pos)
		return
	}
	rs.unindexed = append(rs.unindexed, pos)
}

// Rules returns the detection rules of the set, in order.
func (rs *RuleSet) Rules() []*Rule { return rs.rules }

// Match appends to dst the rules that match ev, in rule order, and returns
// the extended slice. It does not allocate when dst has room.
func (rs *RuleSet) Match(ev Event, dst []*Rule) []*Rule {
	c := newCtx(ev, true)
	defer c.release()
	start := len(dst)
	eval := func(positions []int32) {
		for _, p := range positions {
			if r := rs.rules[p]; r.detection.eval(c) {
				dst = append(dst, r)
			}
		}
	}
	lists := 0
	for i := range rs.indexes {
		if cands := rs.indexes[i].candidates(c); len(cands) > 0 {
			eval(cands)
			lists++
		}
	}
	eval(rs.unindexed)
	if lists > 0 && len(dst)-start > 1 {
		// The lists are disjoint but interleave: restore rule order.
		slices.SortFunc(dst[start:], func(a, b *Rule) int { return cmp.Compare(rs.pos[a], rs.pos[b]) })
	}
	return dst
}

// candidates returns the rules indexed here that ev may match.
func (ix *ruleIndex) candidates(c *evalCtx) []int32 {
	if len(ix.all) == 0 {
		return nil
	}
	v, n := c.lookup(ix.field.key, ix.field.path)
	if n == 0 {
		return nil // indexed rules need a value
	}
	for _, key := range ix.field.path[n:] {
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		if v, ok = m[key]; !ok {
			return nil
		}
		n++
	}
	s, ok := v.(string)
	switch {
	case n < len(ix.field.path) || !ok && v != nil:
		return ix.all // an array or odd type: let the rules decide
	case !ok:
		return nil
	}
	var buf [64]byte
	if len(s) > len(buf) || !isASCII(s) {
		return ix.byValue[strings.ToLower(s)]
	}
	for i := 0; i < len(s); i++ {
		buf[i] = lowerASCII(s[i])
	}
	return ix.byValue[string(buf[:len(s)])] // no allocation for map lookups
}

// requiredValues returns the values (lower-cased) one of which field must
// equal for e to hold, or false when e does not pin field to a finite set.
func requiredValues(e expr, field string) ([]string, bool) {
	switch x := e.(type) {
	case *fieldTest:
		if x.name != field || x.null || x.exists || len(x.preds) == 0 || x.all {
			return nil, false
		}
		var out []string
		for _, p := range x.preds {
			sp, ok := p.(*strPred)
			if !ok || sp.kind != strExact {
				return nil, false
			}
			out = append(out, strings.ToLower(sp.lit))
		}
		return out, true
	case andExpr:
		for _, sub := range x {
			if vals, ok := requiredValues(sub, field); ok {
				return vals, true
			}
		}
	case orExpr:
		var out []string
		for _, sub := range x {
			vals, ok := requiredValues(sub, field)
			if !ok {
				return nil, false
			}
			out = append(out, vals...)
		}
		return out, true
	}
	return nil, false
}
