// Package jsonscan holds the byte-level primitives shared by the fast JSON
// scanners of CloudTrail records (the splitter and the lazy field decoder).
package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// QuoteOrBackslash returns the index of the first '"' or '\\' in b at or
// after i, or len(b). It tests eight bytes per step (SWAR): most strings in
// CloudTrail are short, where the call overhead of bytes.IndexByte dominates,
// and finding backslashes in the same pass spares counting them backwards.
func QuoteOrBackslash(b []byte, i int) int {
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
