package controls

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	json "github.com/goccy/go-json"
)

// An EventBridge event pattern, compiled to decide which sample events a
// rule would receive. It implements the documented content filters: exact
// values, prefix, suffix, anything-but, exists, equals-ignore-case,
// wildcard, numeric, cidr and $or. An unknown filter is an error, so a rule
// is never credited with matching what it might not.

// eventPattern matches one event envelope.
type eventPattern func(ev map[string]any) bool

func compileEventPattern(pattern string) (eventPattern, error) {
	var p map[string]any
	if err := json.Unmarshal([]byte(pattern), &p); err != nil {
		return nil, fmt.Errorf("event pattern: %w", err)
	}
	return compileObject(p)
}

// compileObject: every field of the pattern must match its part of the event.
func compileObject(p map[string]any) (eventPattern, error) {
	var parts []eventPattern
	for key, sub := range p {
		if key == "$or" {
			m, err := compileOr(sub)
			if err != nil {
				return nil, err
			}
			parts = append(parts, m)
			continue
		}
		m, err := compileField(key, sub)
		if err != nil {
			return nil, err
		}
		parts = append(parts, m)
	}
	return func(ev map[string]any) bool {
		for _, m := range parts {
			if !m(ev) {
				return false
			}
		}
		return true
	}, nil
}

func compileOr(sub any) (eventPattern, error) {
	alts, ok := sub.([]any)
	if !ok {
		return nil, fmt.Errorf("$or must be an array")
	}
	var ms []eventPattern
	for _, a := range alts {
		obj, ok := a.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$or alternatives must be objects")
		}
		m, err := compileObject(obj)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return func(ev map[string]any) bool {
		for _, m := range ms {
			if m(ev) {
				return true
			}
		}
		return false
	}, nil
}

func compileField(key string, sub any) (eventPattern, error) {
	switch s := sub.(type) {
	case map[string]any:
		inner, err := compileObject(s)
		if err != nil {
			return nil, err
		}
		return func(ev map[string]any) bool {
			child, _ := ev[key].(map[string]any)
			return inner(child)
		}, nil
	case []any:
		var ms []func(v any, present bool) bool
		for _, f := range s {
			m, err := compileFilter(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			ms = append(ms, m)
		}
		return func(ev map[string]any) bool {
			v, present := ev[key]
			values := []any{v}
			if arr, ok := v.([]any); ok {
				values = arr
			}
			for _, m := range ms {
				for _, x := range values {
					if m(x, present) {
						return true
					}
				}
			}
			return false
		}, nil
	}
	return nil, fmt.Errorf("%s: a pattern field must be an object or an array", key)
}

// compileFilter compiles one element of a field's array: a value to equal
// or a content filter object.
func compileFilter(f any) (func(v any, present bool) bool, error) {
	obj, ok := f.(map[string]any)
	if !ok {
		return func(v any, present bool) bool { return present && v == f }, nil
	}
	if len(obj) != 1 {
		return nil, fmt.Errorf("a content filter has one operator, got %d", len(obj))
	}
	for op, arg := range obj {
		switch op {
		case "exists":
			want, _ := arg.(bool)
			return func(v any, present bool) bool { return present == want }, nil
		case "anything-but":
			m, err := anythingBut(arg)
			if err != nil {
				return nil, err
			}
			return func(v any, present bool) bool { return present && !m(v) }, nil
		case "numeric":
			m, err := numericFilter(arg)
			if err != nil {
				return nil, err
			}
			return func(v any, present bool) bool { f, ok := v.(float64); return present && ok && m(f) }, nil
		case "cidr":
			s, _ := arg.(string)
			prefix, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, err
			}
			return func(v any, present bool) bool {
				ip, err := netip.ParseAddr(fmt.Sprint(v))
				return present && err == nil && prefix.Contains(ip)
			}, nil
		default:
			m, err := stringFilter(op, arg)
			if err != nil {
				return nil, err
			}
			return func(v any, present bool) bool { s, ok := v.(string); return present && ok && m(s) }, nil
		}
	}
	return nil, nil
}

// stringFilter compiles prefix, suffix, equals-ignore-case and wildcard,
// including the {"prefix": {"equals-ignore-case": "x"}} form.
func stringFilter(op string, arg any) (func(string) bool, error) {
	fold := false
	if inner, ok := arg.(map[string]any); ok && len(inner) == 1 && inner["equals-ignore-case"] != nil {
		fold, arg = true, inner["equals-ignore-case"]
	}
	s, ok := arg.(string)
	if !ok {
		return nil, fmt.Errorf("%s needs a string", op)
	}
	norm := func(x string) string { return x }
	if fold {
		norm = strings.ToLower
	}
	switch op {
	case "prefix":
		return func(v string) bool { return strings.HasPrefix(norm(v), norm(s)) }, nil
	case "suffix":
		return func(v string) bool { return strings.HasSuffix(norm(v), norm(s)) }, nil
	case "equals-ignore-case":
		return func(v string) bool { return strings.EqualFold(v, s) }, nil
	case "wildcard":
		re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(s), `\*`, ".*") + "$")
		return re.MatchString, nil
	}
	return nil, fmt.Errorf("unsupported content filter %q", op)
}

// anythingBut compiles the excluded value(s) of anything-but.
func anythingBut(arg any) (func(any) bool, error) {
	switch a := arg.(type) {
	case []any:
		return func(v any) bool {
			for _, x := range a {
				if v == x {
					return true
				}
			}
			return false
		}, nil
	case map[string]any:
		if len(a) != 1 {
			return nil, fmt.Errorf("anything-but takes one operator")
		}
		for op, sub := range a {
			if list, ok := sub.([]any); ok && (op == "prefix" || op == "suffix" || op == "equals-ignore-case" || op == "wildcard") {
				var ms []func(string) bool
				for _, x := range list {
					m, err := stringFilter(op, x)
					if err != nil {
						return nil, err
					}
					ms = append(ms, m)
				}
				return func(v any) bool {
					s, ok := v.(string)
					for _, m := range ms {
						if ok && m(s) {
							return true
						}
					}
					return false
				}, nil
			}
			m, err := stringFilter(op, sub)
			if err != nil {
				return nil, err
			}
			return func(v any) bool { s, ok := v.(string); return ok && m(s) }, nil
		}
	}
	return func(v any) bool { return v == arg }, nil
}

// numericFilter compiles ["<", 10, ">=", 0] style comparisons.
func numericFilter(arg any) (func(float64) bool, error) {
	list, ok := arg.([]any)
	if !ok || len(list)%2 != 0 {
		return nil, fmt.Errorf("numeric needs operator/value pairs")
	}
	type cmp struct {
		op string
		n  float64
	}
	var cs []cmp
	for i := 0; i < len(list); i += 2 {
		op, _ := list[i].(string)
		n, ok := list[i+1].(float64)
		if !ok {
			return nil, fmt.Errorf("numeric needs numbers")
		}
		cs = append(cs, cmp{op, n})
	}
	return func(f float64) bool {
		for _, c := range cs {
			ok := false
			switch c.op {
			case "=":
				ok = f == c.n
			case "<":
				ok = f < c.n
			case "<=":
				ok = f <= c.n
			case ">":
				ok = f > c.n
			case ">=":
				ok = f >= c.n
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}
