package index

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"

	"github.com/secure-baseline/baseline/internal/jsonscan"
)

// A minimal scanner over the raw JSON of one event. The splitter has already
// checked that a record is well formed, so these only walk it: they never
// decode the whole event into a map, which would cost more than the rest of
// ingestion together. On malformed input they stop early, without panicking.

// members calls fn with the key (raw, without quotes) and the raw value of
// every member of the object obj, in order, until fn returns false.
func members(obj []byte, fn func(key, val []byte) bool) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return
		}
		end := stringEnd(obj, i)
		if end < 0 {
			return
		}
		key := obj[i+1 : end-1]
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = skipSpace(obj, i+1)
		end = valueEnd(obj, i)
		if end < 0 || !fn(key, obj[i:end]) {
			return
		}
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ',' {
			return
		}
		i++
	}
}

// elements calls fn with the raw value of every element of the array arr.
func elements(arr []byte, fn func(val []byte)) {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return
	}
	i++
	for {
		i = skipSpace(arr, i)
		if i >= len(arr) || arr[i] == ']' {
			return
		}
		end := valueEnd(arr, i)
		if end < 0 {
			return
		}
		fn(arr[i:end])
		i = skipSpace(arr, end)
		if i >= len(arr) || arr[i] != ',' {
			return
		}
		i++
	}
}

// leaves calls fn for every scalar in val with the key of the member that
// holds it (array elements take their array's key). Scalars are raw JSON:
// strings keep their quotes.
func leaves(key, val []byte, fn func(key, val []byte)) {
	if len(val) == 0 {
		return
	}
	switch val[0] {
	case '{':
		members(val, func(k, v []byte) bool {
			leaves(k, v, fn)
			return true
		})
	case '[':
		elements(val, func(v []byte) { leaves(key, v, fn) })
	default:
		fn(key, val)
	}
}

// plainString returns the contents of the JSON string s when it holds no
// escape sequence (identifiers never do), else ok is false.
func plainString(s []byte) (contents []byte, ok bool) {
	if len(s) < 2 || s[0] != '"' || bytes.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	return s[1 : len(s)-1], true
}

// scalarText renders a raw JSON scalar as text: strings decoded, numbers and
// literals as written.
func scalarText(s []byte) string {
	if c, ok := plainString(s); ok {
		return string(c)
	}
	if len(s) > 0 && s[0] == '"' {
		var out string
		if json.Unmarshal(s, &out) == nil {
			return out
		}
	}
	return string(s)
}

// isNull reports whether a raw value is absent or JSON null.
func isNull(val []byte) bool {
	return len(val) == 0 || string(val) == "null"
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] == '"',
// or -1 when it is not terminated.
func stringEnd(b []byte, i int) int {
	for i++; ; i += 2 { // a backslash escapes the byte after it
		i = jsonscan.QuoteOrBackslash(b, i)
		if i >= len(b) {
			return -1
		}
		if b[i] == '"' {
			return i + 1
		}
	}
}

// valueEnd returns the index just past the value starting at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i = nextStructural(b, i); i < len(b); i = nextStructural(b, i) {
			switch b[i] {
			case '"':
				if i = stringEnd(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			default:
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			return i
		}
	}
	return i
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// nextStructural returns the index of the first '"', '{', '}', '[' or ']' in
// b at or after i, or len(b). It tests eight bytes per step: skipping nested
// objects byte by byte was most of the cost of finding the members an event
// row needs. Setting bit 5 folds '[' and ']' onto '{' and '}'.
func nextStructural(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		f := w | ones*0x20
		q, o, c := w^(ones*'"'), f^(ones*'{'), f^(ones*'}')
		// A zero byte in q, o or c is a match; the lowest flagged byte is exact.
		if m := ((q-ones)&^q | (o-ones)&^o | (c-ones)&^c) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case '"', '{', '}', '[', ']':
			return i
		}
	}
	return len(b)
}
