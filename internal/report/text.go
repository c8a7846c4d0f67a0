package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const ellipsis = "…"

// clip shortens s to at most n runes, ending with an ellipsis when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + ellipsis
}

// limit shortens s to at most n bytes on a rune boundary, ending with an
// ellipsis when cut: APIs such as Security Hub count length in bytes or
// characters, and bytes satisfy both.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// oneLine makes untrusted text safe for a terminal line: newlines and tabs
// become spaces and other control characters (escape sequences included)
// are dropped, so a resource name can neither break the layout nor drive
// the terminal.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// joinNonEmpty joins the non-empty parts of ss with sep.
func joinNonEmpty(sep string, ss ...string) string {
	var parts []string
	for _, s := range ss {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

// wrap breaks s at spaces into lines of at most width runes, at most
// maxLines of them, the last one clipped.
func wrap(s string, width, maxLines int) []string {
	var lines []string
	for len(lines) < maxLines-1 && utf8.RuneCountInString(s) > width {
		r := []rune(s)
		cut := width
		for cut > 0 && r[cut] != ' ' {
			cut--
		}
		if cut == 0 {
			cut = width
		}
		lines = append(lines, strings.TrimRight(string(r[:cut]), " "))
		s = strings.TrimLeft(string(r[cut:]), " ")
	}
	return append(lines, clip(s, width))
}
