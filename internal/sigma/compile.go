package sigma

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// compileDetection compiles a detection section: its search identifiers, then
// its condition(s), which refer to them.
func compileDetection(det *node) (expr, []string, error) {
	if det.kind != mapNode {
		return nil, nil, errAt(det, "detection must be a map, not a %s", det.kind)
	}
	searches := map[string]expr{}
	var names []string
	var cond *node
	for i, key := range det.keys {
		val := det.items[i]
		switch key.text {
		case "condition":
			cond = val
		case "timeframe":
			return nil, nil, errAt(key, "timeframe is not supported: use a correlation rule")
		default:
			e, err := compileSearch(key, val)
			if err != nil {
				return nil, nil, err
			}
			searches[key.text] = e
			names = append(names, key.text)
		}
	}
	if cond == nil {
		return nil, nil, errAt(det, "detection has no condition")
	}
	conds := []*node{cond}
	if cond.kind == seqNode {
		conds = cond.items
	}
	var exprs []expr
	var texts []string
	for _, c := range conds {
		if c.kind != scalarNode {
			return nil, nil, errAt(c, "condition must be a string or a list of strings")
		}
		e, err := parseCondition(c, names, searches)
		if err != nil {
			return nil, nil, err
		}
		exprs = append(exprs, e)
		texts = append(texts, c.text)
	}
	if len(exprs) == 0 {
		return nil, nil, errAt(cond, "detection has an empty condition list")
	}
	return joinExprs(exprs, false), texts, nil
}

// compileSearch compiles one search identifier: a map (AND of its fields), a
// list of maps (OR of them), or keywords (a value or a list of values).
func compileSearch(name, val *node) (expr, error) {
	switch val.kind {
	case mapNode:
		return compileSelection(val)
	case seqNode:
		if len(val.items) == 0 {
			return nil, errAt(name, "search identifier %q is empty", name.text)
		}
		if val.items[0].kind != mapNode {
			return keywordSearch(name, val.items)
		}
		var alts []expr
		for _, item := range val.items {
			if item.kind != mapNode {
				return nil, errAt(item, "search identifier %q mixes maps and plain values", name.text)
			}
			e, err := compileSelection(item)
			if err != nil {
				return nil, err
			}
			alts = append(alts, e)
		}
		return joinExprs(alts, false), nil
	case scalarNode:
		return keywordSearch(name, []*node{val})
	}
	return nil, errAt(name, "search identifier %q is empty", name.text)
}

// keywordSearch compiles a search identifier made of plain values.
func keywordSearch(name *node, values []*node) (expr, error) {
	k, err := compileKeywords(name, values, modifiers{anchor: strContains})
	if err != nil {
		return nil, err // not a typed nil in an interface
	}
	return k, nil
}

// compileSelection compiles a map of "field|modifiers: values" entries, all
// of which must hold. Cheap tests are moved first.
func compileSelection(m *node) (expr, error) {
	if len(m.keys) == 0 {
		return nil, errAt(m, "empty selection")
	}
	var tests []costedExpr
	for i, key := range m.keys {
		parts := strings.Split(key.text, "|")
		field, modNames := parts[0], parts[1:]
		mods, err := parseModifiers(modNames)
		if err != nil {
			return nil, errAt(key, "%s: %v", key.text, err)
		}
		values, err := valueList(m.items[i])
		if err != nil {
			return nil, err
		}
		if field == "" {
			if mods.anchor == strExact {
				mods.anchor = strContains
			}
			k, err := compileKeywords(key, values, mods)
			if err != nil {
				return nil, err
			}
			tests = append(tests, k)
			continue
		}
		t, err := compileFieldTest(key, field, modNames, mods, values)
		if err != nil {
			return nil, err
		}
		tests = append(tests, t)
	}
	slices.SortStableFunc(tests, func(a, b costedExpr) int { return a.cost() - b.cost() })
	exprs := make([]expr, len(tests))
	for i, t := range tests {
		exprs[i] = t
	}
	return joinExprs(exprs, true), nil
}

// valueList returns the values of a selection entry: one scalar or null, or
// a list of them.
func valueList(v *node) ([]*node, error) {
	values := []*node{v}
	if v.kind == seqNode {
		values = v.items
	}
	if len(values) == 0 {
		return nil, errAt(v, "empty value list")
	}
	for _, x := range values {
		if x.kind != scalarNode && x.kind != nullNode {
			return nil, errAt(x, "a value must be a string, number, boolean or null, not a %s", x.kind)
		}
	}
	return values, nil
}

func compileFieldTest(key *node, field string, modNames []string, mods modifiers, values []*node) (*fieldTest, error) {
	t := &fieldTest{fieldPath: newFieldPath(field), all: mods.all}
	if mods.exists {
		if len(values) != 1 {
			return nil, errAt(key, "exists takes a single true or false")
		}
		b, err := strconv.ParseBool(values[0].text)
		if err != nil || values[0].kind != scalarNode {
			return nil, errAt(values[0], "exists takes true or false, not %q", values[0].text)
		}
		t.exists, t.null = b, !b
		return t, nil
	}
	for _, v := range values {
		if v.kind == nullNode {
			if len(modNames) > 0 {
				return nil, errAt(v, "null cannot be combined with modifiers")
			}
			t.null = true
			continue
		}
		preds, err := valuePredicates(v, mods)
		if err != nil {
			return nil, err
		}
		t.preds = append(t.preds, preds...)
	}
	if len(t.preds) <= 1 {
		t.all = false
	}
	return t, nil
}

// costedExpr is a selection entry, ranked so that cheap ones run first.
type costedExpr interface {
	expr
	cost() int
}

// compileKeywords compiles keyword searches over the event's JSON text.
func compileKeywords(at *node, values []*node, mods modifiers) (*keywordTest, error) {
	if mods.exists || mods.fieldref {
		return nil, errAt(at, "exists and fieldref need a field name")
	}
	k := &keywordTest{all: mods.all}
	for _, v := range values {
		if v.kind != scalarNode {
			return nil, errAt(v, "a keyword must be a string or number, not a %s", v.kind)
		}
		preds, err := valuePredicates(v, mods)
		if err != nil {
			return nil, err
		}
		k.preds = append(k.preds, preds...)
	}
	return k, nil
}

// valuePredicates compiles one value under the key's modifiers. Encoders can
// turn a value into several alternatives.
func valuePredicates(v *node, mods modifiers) ([]predicate, error) {
	switch {
	case mods.re:
		expr := v.text
		if mods.reFlags != "" {
			expr = "(?" + mods.reFlags + ")" + expr
		}
		p, err := newRePred(expr)
		if err != nil {
			return nil, errAt(v, "invalid regular expression: %v", err)
		}
		return []predicate{p}, nil
	case mods.cidr:
		prefix, err := netip.ParsePrefix(v.text)
		if err != nil {
			return nil, errAt(v, "invalid CIDR: %v", err)
		}
		return []predicate{&cidrPred{prefix: prefix.Masked()}}, nil
	case mods.cmp != "":
		f, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			return nil, errAt(v, "%s needs a number, not %q", mods.cmp, v.text)
		}
		return []predicate{&cmpPred{op: mods.cmp, val: f}}, nil
	case mods.fieldref:
		if v.text == "" {
			return nil, errAt(v, "fieldref needs a field name")
		}
		return []predicate{&refPred{ref: newFieldPath(v.text), kind: mods.anchor, cased: mods.cased}}, nil
	}
	patterns, err := mods.stringPatterns(v.text)
	if err != nil {
		return nil, errAt(v, "%v", err)
	}
	preds := make([]predicate, len(patterns))
	for i, toks := range patterns {
		preds[i] = newStrPred(toks, mods.anchor, mods.cased)
	}
	return preds, nil
}

// joinExprs builds an AND (and == true) or OR of exprs, flattening nested
// ones of the same kind.
func joinExprs(exprs []expr, and bool) expr {
	var flat []expr
	for _, e := range exprs {
		switch x := e.(type) {
		case andExpr:
			if and {
				flat = append(flat, x...)
				continue
			}
		case orExpr:
			if !and {
				flat = append(flat, x...)
				continue
			}
		}
		flat = append(flat, e)
	}
	if len(flat) == 1 {
		return flat[0]
	}
	if and {
		return andExpr(flat)
	}
	return orExpr(flat)
}
