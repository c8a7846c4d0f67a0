package controls

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// A CloudWatch Logs filter pattern, compiled to decide which sample
// CloudTrail events it would count. Two syntaxes are understood: JSON
// patterns ({ ($.eventName = "X") && ($.errorCode = "*Denied") }) and term
// patterns ("ConsoleLogin" -Success ?Root). Space-delimited patterns ([a, b])
// do not apply to CloudTrail's JSON and compile to an error.

// logPattern matches one event, given as decoded JSON and as its text.
type logPattern func(ev map[string]any, text string) bool

func compileFilterPattern(pattern string) (logPattern, error) {
	p := strings.TrimSpace(pattern)
	switch {
	case strings.HasPrefix(p, "{"):
		return compileJSONPattern(p)
	case strings.HasPrefix(p, "["):
		return nil, fmt.Errorf("space-delimited pattern %q does not apply to JSON events", pattern)
	}
	return compileTermPattern(p)
}

// compileTermPattern: every plain term must occur, no -term may, and one
// ?term must when there are any. An empty pattern matches everything.
func compileTermPattern(p string) (logPattern, error) {
	var all, none, oneOf []string
	for _, tok := range splitTerms(p) {
		switch {
		case strings.HasPrefix(tok, "-"):
			none = append(none, unquoteTerm(tok[1:]))
		case strings.HasPrefix(tok, "?"):
			oneOf = append(oneOf, unquoteTerm(tok[1:]))
		default:
			all = append(all, unquoteTerm(tok))
		}
	}
	return func(_ map[string]any, text string) bool {
		for _, t := range all {
			if !strings.Contains(text, t) {
				return false
			}
		}
		for _, t := range none {
			if strings.Contains(text, t) {
				return false
			}
		}
		if len(oneOf) == 0 {
			return true
		}
		for _, t := range oneOf {
			if strings.Contains(text, t) {
				return true
			}
		}
		return false
	}, nil
}

// splitTerms splits on spaces outside double quotes.
func splitTerms(p string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range p {
		switch {
		case r == '"':
			quoted = !quoted
			b.WriteRune(r)
		case unicode.IsSpace(r) && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

func unquoteTerm(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	}
	return s
}

// jsonParser is a recursive-descent parser over the tokens of a JSON
// pattern: && binds tighter than ||, parentheses group.
type jsonParser struct {
	toks []string
	pos  int
}

func compileJSONPattern(p string) (logPattern, error) {
	toks, err := tokenizeJSONPattern(p)
	if err != nil {
		return nil, err
	}
	if len(toks) < 2 || toks[0] != "{" || toks[len(toks)-1] != "}" {
		return nil, fmt.Errorf("JSON pattern %q is not enclosed in braces", p)
	}
	ps := &jsonParser{toks: toks[1 : len(toks)-1]}
	m, err := ps.or()
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", p, err)
	}
	if ps.pos != len(ps.toks) {
		return nil, fmt.Errorf("pattern %q: unexpected %q", p, ps.toks[ps.pos])
	}
	return m, nil
}

func tokenizeJSONPattern(p string) ([]string, error) {
	var toks []string
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(p[i:], "&&") || strings.HasPrefix(p[i:], "||") ||
			strings.HasPrefix(p[i:], "!=") || strings.HasPrefix(p[i:], "<=") || strings.HasPrefix(p[i:], ">="):
			toks = append(toks, p[i:i+2])
			i += 2
		case strings.ContainsRune("{}()=<>", rune(c)):
			toks = append(toks, p[i:i+1])
			i++
		case c == '"':
			j := i + 1
			for j < len(p) && p[j] != '"' {
				if p[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(p) {
				return nil, fmt.Errorf("unterminated string in %q", p)
			}
			toks = append(toks, p[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(p) && !strings.ContainsRune(" \t\n\r{}()=<>!&|\"", rune(p[j])) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q in %q", p[i:i+1], p)
			}
			toks = append(toks, p[i:j])
			i = j
		}
	}
	return toks, nil
}

func (ps *jsonParser) peek() string {
	if ps.pos < len(ps.toks) {
		return ps.toks[ps.pos]
	}
	return ""
}

func (ps *jsonParser) next() string {
	t := ps.peek()
	ps.pos++
	return t
}

func (ps *jsonParser) or() (logPattern, error) {
	left, err := ps.and()
	for err == nil && ps.peek() == "||" {
		ps.next()
		var right logPattern
		if right, err = ps.and(); err == nil {
			l := left
			left = func(ev map[string]any, text string) bool { return l(ev, text) || right(ev, text) }
		}
	}
	return left, err
}

func (ps *jsonParser) and() (logPattern, error) {
	left, err := ps.term()
	for err == nil && ps.peek() == "&&" {
		ps.next()
		var right logPattern
		if right, err = ps.term(); err == nil {
			l := left
			left = func(ev map[string]any, text string) bool { return l(ev, text) && right(ev, text) }
		}
	}
	return left, err
}

func (ps *jsonParser) term() (logPattern, error) {
	if ps.peek() == "(" {
		ps.next()
		m, err := ps.or()
		if err != nil {
			return nil, err
		}
		if ps.next() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return m, nil
	}
	sel := ps.next()
	if !strings.HasPrefix(sel, "$") {
		return nil, fmt.Errorf("expected a $. selector, got %q", sel)
	}
	path := selectorPath(sel)
	switch op := ps.next(); op {
	case "IS":
		want := ps.next()
		return func(ev map[string]any, _ string) bool {
			v, ok := jsonPathValue(ev, path)
			switch want {
			case "NULL":
				return ok && v == nil
			case "TRUE", "FALSE":
				b, isBool := v.(bool)
				return ok && isBool && b == (want == "TRUE")
			}
			return false
		}, nil
	case "NOT":
		if ps.next() != "EXISTS" {
			return nil, fmt.Errorf("expected NOT EXISTS")
		}
		return func(ev map[string]any, _ string) bool { _, ok := jsonPathValue(ev, path); return !ok }, nil
	case "=", "!=", "<", ">", "<=", ">=":
		raw := ps.next()
		if raw == "" || raw == ")" {
			return nil, fmt.Errorf("missing value after %s %s", sel, op)
		}
		cmp, err := compareValue(op, raw)
		if err != nil {
			return nil, err
		}
		return func(ev map[string]any, _ string) bool {
			v, ok := jsonPathValue(ev, path)
			return cmp(v, ok)
		}, nil
	default:
		return nil, fmt.Errorf("unknown operator %q after %s", op, sel)
	}
}

// compareValue compiles "field op value". A missing field equals nothing
// and differs from everything.
func compareValue(op, raw string) (func(v any, present bool) bool, error) {
	quoted := strings.HasPrefix(raw, `"`)
	val := unquoteTerm(raw)
	if num, err := strconv.ParseFloat(val, 64); err == nil && !quoted {
		return func(v any, present bool) bool {
			f, isNum := v.(float64)
			if !present || !isNum {
				return op == "!="
			}
			switch op {
			case "=":
				return f == num
			case "!=":
				return f != num
			case "<":
				return f < num
			case ">":
				return f > num
			case "<=":
				return f <= num
			}
			return f >= num
		}, nil
	}
	if op != "=" && op != "!=" {
		return nil, fmt.Errorf("operator %s needs a number, got %s", op, raw)
	}
	match, err := stringMatcher(val)
	if err != nil {
		return nil, err
	}
	return func(v any, present bool) bool {
		eq := present && v != nil && match(scalarText(v))
		return eq == (op == "=")
	}, nil
}

// stringMatcher matches a value with * wildcards, or a %regex%.
func stringMatcher(val string) (func(string) bool, error) {
	if len(val) >= 2 && strings.HasPrefix(val, "%") && strings.HasSuffix(val, "%") {
		re, err := regexp.Compile(val[1 : len(val)-1])
		if err != nil {
			return nil, err
		}
		return re.MatchString, nil
	}
	if !strings.Contains(val, "*") {
		return func(s string) bool { return s == val }, nil
	}
	re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(val), `\*`, ".*") + "$")
	return re.MatchString, nil
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// pathStep is a key, or an array index (key "" and idx >= 0).
type pathStep struct {
	key string
	idx int
}

// selectorPath parses $.a.b[0].c.
func selectorPath(sel string) []pathStep {
	var steps []pathStep
	for _, part := range strings.Split(strings.TrimPrefix(strings.TrimPrefix(sel, "$"), "."), ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				steps = append(steps, pathStep{key: part, idx: -1})
				break
			}
			if i > 0 {
				steps = append(steps, pathStep{key: part[:i], idx: -1})
			}
			j := strings.IndexByte(part, ']')
			n, err := strconv.Atoi(part[i+1 : max(j, i+1)])
			if j < 0 || err != nil {
				steps = append(steps, pathStep{key: part, idx: -1})
				break
			}
			steps = append(steps, pathStep{idx: n})
			part = part[j+1:]
		}
	}
	return steps
}

func jsonPathValue(v any, path []pathStep) (any, bool) {
	for _, s := range path {
		if s.idx >= 0 && s.key == "" {
			arr, ok := v.([]any)
			if !ok || s.idx >= len(arr) {
				return nil, false
			}
			v = arr[s.idx]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[s.key]; !ok {
			return nil, false
		}
	}
	return v, true
}
