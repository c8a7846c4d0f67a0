package sigma

import (
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// predicate tests one scalar value (string, bool or number; nil for a nested
// JSON null). Objects and arrays are expanded by the caller (see matchAny).
type predicate interface {
	match(c *evalCtx, v any) bool
	// cost ranks predicates so cheap ones run first inside a selection.
	cost() int
}

// rePred is the re modifier: an unanchored Go (RE2) regular expression.
type rePred struct {
	re *regexp.Regexp
	// lit is a literal every match contains; checking it first skips most
	// regexp runs on non-matching events.
	lit  string
	fold bool
}

func newRePred(expr string) (*rePred, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	p := &rePred{re: re}
	p.lit, p.fold = requiredLiteral(expr)
	return p, nil
}

// requiredLiteral returns the longest literal found at the top level of the
// regexp's concatenation, which any match must contain.
func requiredLiteral(expr string) (lit string, fold bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	for _, s := range subs {
		if s.Op != syntax.OpLiteral {
			continue
		}
		text, f := string(s.Rune), s.Flags&syntax.FoldCase != 0
		if f && !isASCII(text) {
			continue
		}
		if len(text) > len(lit) {
			lit, fold = text, f
		}
	}
	return lit, fold
}

func (p *rePred) match(_ *evalCtx, v any) bool {
	s, ok := scalarText(v)
	if !ok {
		return false
	}
	if p.lit != "" {
		if p.fold && indexFoldASCII(s, p.lit) < 0 || !p.fold && !strings.Contains(s, p.lit) {
			return false
		}
	}
	return p.re.MatchString(s)
}

func (p *rePred) cost() int { return 8 }

// cidrPred is the cidr modifier.
type cidrPred struct {
	prefix netip.Prefix
}

func (p *cidrPred) match(_ *evalCtx, v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	addr, err := netip.ParseAddr(s)
	return err == nil && p.prefix.Contains(addr.Unmap())
}

func (p *cidrPred) cost() int { return 3 }

// cmpPred is one of the gt, gte, lt and lte modifiers. Numeric strings
// compare as numbers.
type cmpPred struct {
	op  string
	val float64
}

func (p *cmpPred) match(_ *evalCtx, v any) bool {
	f, ok := number(v)
	if !ok {
		s, isStr := v.(string)
		if !isStr {
			return false
		}
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return false
		}
	}
	switch p.op {
	case "gt":
		return f > p.val
	case "gte":
		return f >= p.val
	case "lt":
		return f < p.val
	default:
		return f <= p.val
	}
}

func (p *cmpPred) cost() int { return 2 }

// refPred is the fieldref modifier: the value is compared with the values of
// another field of the same event, case-insensitively unless cased.
type refPred struct {
	ref   fieldPath
	kind  strKind // strExact, strPrefix, strSuffix or strContains
	cased bool
}

func (p *refPred) match(c *evalCtx, v any) bool {
	s, ok := scalarText(v)
	if !ok {
		return false
	}
	return resolve(c, &p.ref, func(other any) bool {
		t, ok := scalarText(other)
		return ok && p.compare(s, t)
	})
}

func (p *refPred) compare(s, ref string) bool {
	switch {
	case p.kind == strExact && p.cased:
		return s == ref
	case p.kind == strExact:
		return strings.EqualFold(s, ref)
	case p.kind == strPrefix && p.cased:
		return strings.HasPrefix(s, ref)
	case p.kind == strPrefix:
		return hasPrefixFold(s, ref)
	case p.kind == strSuffix && p.cased:
		return strings.HasSuffix(s, ref)
	case p.kind == strSuffix:
		return hasSuffixFold(s, ref)
	case p.cased:
		return strings.Contains(s, ref)
	default:
		return containsFold(s, ref)
	}
}

func (p *refPred) cost() int { return 5 }
