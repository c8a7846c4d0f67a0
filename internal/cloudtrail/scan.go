package cloudtrail

import (
	"encoding/binary"
	"math/bits"
)

// Byte classes outside strings. Only JSON's structural bytes, whitespace and
// the characters of numbers and literals may appear; anything else is garbage.
const (
	clsBad uint8 = iota
	clsPlain
	clsQuote
	clsOpen
	clsClose
	clsComma // plain, but the splitter notes where records' members end
)

var class = func() (t [256]uint8) {
	for _, c := range []byte(" \t\r\n:-+.0123456789eEtrufalsn") {
		t[c] = clsPlain
	}
	t[','] = clsComma
	t['"'] = clsQuote
	t['{'], t['['] = clsOpen, clsOpen
	t['}'], t[']'] = clsClose, clsClose
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// quoteOrBackslash returns the index of the first '"' or '\\' in b at or
// after i, or len(b). It tests eight bytes per step (SWAR): most strings in
// CloudTrail are short, where the call overhead of bytes.IndexByte dominates,
// and finding backslashes in the same pass spares counting them backwards.
func quoteOrBackslash(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q := w ^ (ones * '"')
		s := w ^ (ones * '\\')
		// A zero byte in q or s is a match; the lowest flagged byte is exact.
		if m := ((q-ones)&^q | (s-ones)&^s) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' {
			return i
		}
	}
	return len(b)
}
