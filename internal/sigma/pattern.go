package sigma

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// strKind is how a string pattern is anchored once wildcards are analysed.
type strKind uint8

const (
	strExact strKind = iota
	strPrefix
	strSuffix
	strContains
	strAny  // a lone "*": any present scalar
	strGlob // anything else: general wildcard matching
)

// globTok is one rune of a wildcard pattern; wild is 0 for a literal rune, or
// '*' or '?'.
type globTok struct {
	r    rune
	wild byte
}

// strPred matches scalar values against a Sigma string value. Matching folds
// case unless cased: ASCII patterns use fast byte-wise ASCII folding, other
// patterns go through the rune-wise glob matcher with unicode.ToLower.
type strPred struct {
	kind  strKind
	lit   string    // literal part for exact/prefix/suffix/contains, lower-cased unless cased
	glob  []globTok // for strGlob
	cased bool
	num   float64 // numeric value of an exact pattern, when isNum
	isNum bool
}

// parseWildcards splits a Sigma string into runes, honouring the spec's
// escapes: \* and \? are literal wildcards, \\ is one backslash, and any other
// backslash is literal.
func parseWildcards(s string) []globTok {
	toks := make([]globTok, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			toks = append(toks, globTok{r: rune(s[i+1])})
			i += 2
		case c == '*' || c == '?':
			toks = append(toks, globTok{wild: c})
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			toks = append(toks, globTok{r: r})
			i += size
		}
	}
	return toks
}

func literalToks(s string) []globTok {
	toks := make([]globTok, 0, len(s))
	for _, r := range s {
		toks = append(toks, globTok{r: r})
	}
	return toks
}

// tokText returns the runes of toks, ignoring wildcards.
func tokText(toks []globTok) string {
	var b strings.Builder
	for _, t := range toks {
		if t.wild == 0 {
			b.WriteRune(t.r)
		}
	}
	return b.String()
}

func hasWildcard(toks []globTok) bool {
	for _, t := range toks {
		if t.wild != 0 {
			return true
		}
	}
	return false
}

// newStrPred builds a predicate from pattern tokens and the anchoring implied
// by the contains/startswith/endswith modifiers.
func newStrPred(toks []globTok, anchor strKind, cased bool) *strPred {
	star := globTok{wild: '*'}
	if anchor == strContains || anchor == strSuffix {
		toks = append([]globTok{star}, toks...)
	}
	if anchor == strContains || anchor == strPrefix {
		toks = append(toks, star)
	}
	// Collapse runs of '*': they mean the same and would slow the glob down.
	var clean []globTok
	for _, t := range toks {
		if t.wild == '*' && len(clean) > 0 && clean[len(clean)-1].wild == '*' {
			continue
		}
		clean = append(clean, t)
	}
	p := &strPred{cased: cased}
	if len(clean) == 1 && clean[0].wild == '*' {
		p.kind = strAny
		return p
	}
	lead := len(clean) > 0 && clean[0].wild == '*'
	trail := len(clean) > 1 && clean[len(clean)-1].wild == '*'
	inner := clean
	if lead {
		inner = inner[1:]
	}
	if trail {
		inner = inner[:len(inner)-1]
	}
	lit := tokText(inner)
	switch {
	case hasWildcard(inner):
		p.kind = strGlob
	case lead && trail:
		p.kind = strContains
	case lead:
		p.kind = strSuffix
	case trail:
		p.kind = strPrefix
	default:
		p.kind = strExact
		if f, err := strconv.ParseFloat(lit, 64); err == nil {
			p.num, p.isNum = f, true
		}
	}
	p.lit = lit
	if !cased && !isASCII(p.lit) {
		// Fast paths fold ASCII only; leave Unicode folding to the glob.
		p.kind = strGlob
	}
	if p.kind == strGlob {
		p.glob = clean
		if !cased {
			for i := range p.glob {
				p.glob[i].r = unicode.ToLower(p.glob[i].r)
			}
		}
	} else if !cased {
		p.lit = strings.ToLower(p.lit)
	}
	return p
}

func (p *strPred) match(_ *evalCtx, v any) bool {
	if p.isNum {
		if f, ok := number(v); ok {
			return f == p.num
		}
	}
	s, ok := scalarText(v)
	return ok && p.matchString(s)
}

func (p *strPred) matchString(s string) bool {
	switch p.kind {
	case strAny:
		return true
	case strGlob:
		return globMatch(p.glob, s, p.cased)
	}
	if p.cased {
		switch p.kind {
		case strExact:
			return s == p.lit
		case strPrefix:
			return strings.HasPrefix(s, p.lit)
		case strSuffix:
			return strings.HasSuffix(s, p.lit)
		default:
			return strings.Contains(s, p.lit)
		}
	}
	switch p.kind {
	case strExact:
		return equalFoldASCII(s, p.lit)
	case strPrefix:
		return len(s) >= len(p.lit) && equalFoldASCII(s[:len(p.lit)], p.lit)
	case strSuffix:
		return len(s) >= len(p.lit) && equalFoldASCII(s[len(s)-len(p.lit):], p.lit)
	default:
		return indexFoldASCII(s, p.lit) >= 0
	}
}

func (p *strPred) cost() int {
	switch p.kind {
	case strExact, strAny:
		return 1
	case strPrefix, strSuffix:
		return 2
	case strContains:
		return 3
	}
	return 4
}

// globMatch matches s against a wildcard pattern with the classic
// backtrack-to-last-star algorithm, rune by rune. Pattern runes are already
// lower-cased when !cased.
func globMatch(toks []globTok, s string, cased bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		if pi < len(toks) {
			t := toks[pi]
			if t.wild == '*' {
				starP, starS = pi, si
				pi++
				continue
			}
			if t.wild == '?' || t.r == r || (!cased && t.r == unicode.ToLower(r)) {
				pi++
				si += size
				continue
			}
		}
		if starP < 0 {
			return false
		}
		pi = starP + 1
		_, skip := utf8.DecodeRuneInString(s[starS:])
		starS += skip
		si = starS
	}
	for pi < len(toks) && toks[pi].wild == '*' {
		pi++
	}
	return pi == len(toks)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII compares a and b folding ASCII letters only.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// indexFoldASCII is strings.Index folding ASCII letters, without allocating.
func indexFoldASCII(s, sub string) int {
	n := len(sub)
	if n == 0 {
		return 0
	}
	lo := lowerASCII(sub[0])
	up := lo
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	for i := 0; i+n <= len(s); i++ {
		if lo == up {
			// Not a letter: jump with the optimised byte search.
			j := strings.IndexByte(s[i:len(s)-n+1], lo)
			if j < 0 {
				return -1
			}
			i += j
		} else if c := s[i]; c != lo && c != up {
			continue
		}
		if equalFoldASCII(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

// containsFold, hasPrefixFold and hasSuffixFold fold case for two dynamic
// strings (fieldref), allocating only for non-ASCII input.
func containsFold(s, sub string) bool {
	if isASCII(sub) {
		return indexFoldASCII(s, sub) >= 0
	}
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func hasPrefixFold(s, prefix string) bool {
	if isASCII(prefix) {
		return len(s) >= len(prefix) && equalFoldASCII(s[:len(prefix)], prefix)
	}
	return strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix))
}

func hasSuffixFold(s, suffix string) bool {
	if isASCII(suffix) {
		return len(s) >= len(suffix) && equalFoldASCII(s[len(s)-len(suffix):], suffix)
	}
	return strings.HasSuffix(strings.ToLower(s), strings.ToLower(suffix))
}
