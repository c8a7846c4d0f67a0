package sigma

import "strings"

// Condition grammar (precedence: not > and > or):
//
//	or      = and { "or" and }
//	and     = not { "and" not }
//	not     = "not" not | primary
//	primary = "(" or ")" | quant "of" ( pattern | "them" ) | identifier
//	quant   = "1" | "any" | "all"
//
// A pattern is an identifier with "*" wildcards; "them" is every search
// identifier not starting with "_".

type condToken struct {
	text string
	off  int // byte offset in the condition
}

type condParser struct {
	src      *node
	toks     []condToken
	pos      int
	names    []string // search identifiers in declaration order
	searches map[string]expr
}

func parseCondition(src *node, names []string, searches map[string]expr) (expr, error) {
	p := &condParser{src: src, names: names, searches: searches}
	if err := p.tokenize(); err != nil {
		return nil, err
	}
	if len(p.toks) == 0 {
		return nil, errAt(src, "empty condition")
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, p.errorf(p.toks[p.pos], "unexpected %q", p.toks[p.pos].text)
	}
	return e, nil
}

func (p *condParser) tokenize() error {
	s := p.src.text
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			p.toks = append(p.toks, condToken{text: s[i : i+1], off: i})
			i++
		case c == '|':
			return p.errorf(condToken{off: i}, "aggregations (|) are not supported: use a correlation rule")
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()|", rune(s[j])) {
				j++
			}
			p.toks = append(p.toks, condToken{text: s[i:j], off: i})
			i = j
		}
	}
	return nil
}

// errorf locates an error at a token; the column is exact for conditions
// written on one line.
func (p *condParser) errorf(t condToken, format string, args ...any) error {
	e := errAt(p.src, "condition: "+format, args...)
	if !strings.Contains(p.src.text, "\n") {
		e.Column += t.off
		if p.src.quoted {
			e.Column++
		}
	}
	return e
}

func (p *condParser) peek(word string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].text == word
}

func (p *condParser) next() (condToken, error) {
	if p.pos >= len(p.toks) {
		return condToken{}, p.errorf(condToken{off: len(p.src.text)}, "unexpected end")
	}
	p.pos++
	return p.toks[p.pos-1], nil
}

func (p *condParser) parseOr() (expr, error) {
	return p.parseList("or", p.parseAnd)
}

func (p *condParser) parseAnd() (expr, error) {
	return p.parseList("and", p.parseNot)
}

func (p *condParser) parseList(op string, operand func() (expr, error)) (expr, error) {
	var items []expr
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		items = append(items, e)
		if !p.peek(op) {
			return joinExprs(items, op == "and"), nil
		}
		p.pos++
	}
}

func (p *condParser) parseNot() (expr, error) {
	if p.peek("not") {
		p.pos++
		e, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return notExpr{e}, nil
	}
	return p.parsePrimary()
}

func (p *condParser) parsePrimary() (expr, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	switch t.text {
	case "(":
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if !p.peek(")") {
			if p.pos < len(p.toks) {
				return nil, p.errorf(p.toks[p.pos], "expected ) but found %q", p.toks[p.pos].text)
			}
			return nil, p.errorf(condToken{off: len(p.src.text)}, "missing )")
		}
		p.pos++
		return e, nil
	case "1", "any", "all":
		if !p.peek("of") {
			return nil, p.errorf(t, "%q must be followed by \"of\"", t.text)
		}
		p.pos++
		return p.parseQuantifier(t)
	case ")", "and", "or", "not", "of", "them":
		return nil, p.errorf(t, "unexpected %q", t.text)
	}
	if strings.Contains(t.text, "*") {
		return nil, p.errorf(t, "wildcard %q needs \"1 of\" or \"all of\"", t.text)
	}
	if p.peek("of") {
		return nil, p.errorf(t, "unsupported quantifier %q: use 1, any or all", t.text)
	}
	e, ok := p.searches[t.text]
	if !ok {
		return nil, p.errorf(t, "unknown search identifier %q", t.text)
	}
	return e, nil
}

func (p *condParser) parseQuantifier(quant condToken) (expr, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	var matched []expr
	for _, name := range p.names {
		if t.text == "them" && !strings.HasPrefix(name, "_") ||
			t.text != "them" && globMatch(parseWildcards(t.text), name, true) {
			matched = append(matched, p.searches[name])
		}
	}
	if len(matched) == 0 {
		return nil, p.errorf(t, "no search identifier matches %q", t.text)
	}
	return joinExprs(matched, quant.text == "all"), nil
}
