package sigma

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// modifiers is a parsed "|mod1|mod2" chain of a detection key.
type modifiers struct {
	anchor   strKind // strExact, or strContains/strPrefix/strSuffix
	all      bool
	cased    bool
	re       bool
	reFlags  string // i, m, s sub-modifiers of re
	cidr     bool
	fieldref bool
	exists   bool
	cmp      string   // gt, gte, lt or lte
	encoders []string // value transformations, in the order written
}

// valueEncoders transform a literal value into the variants to search for.
var valueEncoders = map[string]func(string) []string{
	"wide":         func(s string) []string { return []string{utf16LE(s)} },
	"utf16le":      func(s string) []string { return []string{utf16LE(s)} },
	"utf16be":      func(s string) []string { return []string{utf16BE(s)} },
	"utf16":        func(s string) []string { return []string{"\xff\xfe" + utf16LE(s)} },
	"base64":       func(s string) []string { return []string{base64.StdEncoding.EncodeToString([]byte(s))} },
	"base64offset": base64Offsets,
	"windash":      windashVariants,
}

// parseModifiers validates a modifier chain; mods are the key's parts after
// the field name.
func parseModifiers(mods []string) (modifiers, error) {
	var m modifiers
	seen := map[string]bool{}
	kinds := 0 // re, cidr, exists, fieldref, gt/gte/lt/lte: the value's type
	for _, name := range mods {
		if seen[name] {
			return m, fmt.Errorf("modifier %q repeated", name)
		}
		seen[name] = true
		switch name {
		case "contains", "startswith", "endswith":
			if m.anchor != strExact {
				return m, fmt.Errorf("modifier %q conflicts with an earlier contains/startswith/endswith", name)
			}
			m.anchor = map[string]strKind{"contains": strContains, "startswith": strPrefix, "endswith": strSuffix}[name]
		case "all":
			m.all = true
		case "cased":
			m.cased = true
		case "re":
			m.re = true
			kinds++
		case "i", "m", "s":
			if !m.re {
				return m, fmt.Errorf("modifier %q is only valid after re", name)
			}
			m.reFlags += name
		case "cidr":
			m.cidr = true
			kinds++
		case "exists":
			m.exists = true
			kinds++
		case "fieldref":
			m.fieldref = true
			kinds++
		case "gt", "gte", "lt", "lte":
			m.cmp = name
			kinds++
		default:
			if valueEncoders[name] == nil {
				return m, fmt.Errorf("unknown modifier %q", name)
			}
			if name == "base64" && seen["base64offset"] || name == "base64offset" && seen["base64"] {
				return m, fmt.Errorf("base64 and base64offset are exclusive")
			}
			m.encoders = append(m.encoders, name)
		}
	}
	switch {
	case kinds > 1:
		return m, fmt.Errorf("modifiers re, cidr, exists, fieldref and gt/gte/lt/lte are exclusive")
	case kinds == 1 && len(m.encoders) > 0:
		return m, fmt.Errorf("modifier %q cannot be combined with re, cidr, exists, fieldref or comparisons", m.encoders[0])
	case (m.re || m.cidr || m.exists || m.cmp != "") && m.anchor != strExact:
		return m, fmt.Errorf("contains/startswith/endswith cannot be combined with re, cidr, exists or comparisons")
	case (m.re || m.cidr || m.exists || m.cmp != "") && m.cased:
		return m, fmt.Errorf("cased only applies to string matching and fieldref")
	case m.exists && m.all:
		return m, fmt.Errorf("all cannot be combined with exists")
	}
	return m, nil
}

// stringPatterns turns one Sigma string value into the wildcard patterns it
// stands for once the encoders have run. Encoded values are literal: an
// unescaped wildcard in them is an error, since its encoding is undefined.
func (m *modifiers) stringPatterns(value string) ([][]globTok, error) {
	type variant struct {
		text    string
		literal bool // escapes resolved: no wildcards left
	}
	vars := []variant{{text: value}}
	for _, enc := range m.encoders {
		var next []variant
		for _, v := range vars {
			if enc != "windash" && !v.literal {
				toks := parseWildcards(v.text)
				if hasWildcard(toks) {
					return nil, fmt.Errorf("modifier %q cannot encode a value with wildcards", enc)
				}
				v = variant{text: tokText(toks), literal: true}
			}
			for _, out := range valueEncoders[enc](v.text) {
				next = append(next, variant{text: out, literal: v.literal})
			}
		}
		vars = next
	}
	out := make([][]globTok, len(vars))
	for i, v := range vars {
		if v.literal {
			out[i] = literalToks(v.text)
		} else {
			out[i] = parseWildcards(v.text)
		}
	}
	return out, nil
}

func utf16LE(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return string(b)
}

func utf16BE(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return string(b)
}

// base64Offsets returns the three base64 forms of s as it may appear at any
// byte offset inside a longer encoded text: the characters that depend on the
// unknown neighbouring bytes are cut off.
func base64Offsets(s string) []string {
	start := [3]int{0, 2, 3}
	end := [3]int{0, 3, 2} // characters to drop, by (len+offset) % 3
	out := make([]string, 0, 3)
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", i) + s))
		out = append(out, enc[start[i]:len(enc)-end[(len(s)+i)%3]])
	}
	return out
}

// windashVariants replaces every '-' with each dash Windows command lines
// accept. Harmless for AWS data; kept so that generic Sigma rules load.
func windashVariants(s string) []string {
	if !strings.Contains(s, "-") {
		return []string{s}
	}
	var out []string
	for _, d := range []string{"-", "/", "\u2013", "\u2014", "\u2015"} {
		out = append(out, strings.ReplaceAll(s, "-", d))
	}
	return out
}
