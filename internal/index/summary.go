package index

import (
	"strings"
	"unicode/utf8"
)

// Bounds of a change summary: enough to tell one change from another in a
// table row.
const (
	summaryMax      = 200
	summaryValueMax = 64
)

// summarize describes a write event in one line: its name and the scalar
// request parameters, in order, as key=value (nested members by their own
// key), e.g. AuthorizeSecurityGroupIngress(groupId=sg-0123, fromPort=22,
// toPort=22, cidrIp=0.0.0.0/0).
func summarize(eventName string, request []byte) string {
	var b strings.Builder
	b.WriteString(eventName)
	if isNull(request) {
		return b.String()
	}
	n := 0
	full := false
	leaves(nil, request, func(key, val []byte) {
		if full || isNull(val) || string(val) == `""` {
			return
		}
		if b.Len() >= summaryMax {
			b.WriteString(", …")
			full = true
			return
		}
		if n == 0 {
			b.WriteByte('(')
		} else {
			b.WriteString(", ")
		}
		n++
		b.Write(key)
		b.WriteByte('=')
		b.WriteString(truncate(scalarText(val), summaryValueMax))
	})
	if n > 0 {
		b.WriteByte(')')
	}
	return b.String()
}

// truncate shortens s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
