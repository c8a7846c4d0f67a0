package detect

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secure-baseline/baseline/internal/jsonscan"

	json "github.com/goccy/go-json"
)

// span is where a JSON value (or a key's contents) lies in a record.
type span struct{ start, end int32 }

// member is one key/value pair of a JSON object; esc marks a key written with
// escapes, which must be decoded before comparing.
type member struct {
	key, val span
	esc      bool
}

// scanner walks raw JSON without decoding it. The splitter has already
// checked the record's structure, so the scanner only needs to be safe on bad
// input, not to diagnose it: any surprise makes it report false.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// str passes over the string starting at s.i and returns its contents and
// whether they hold a backslash.
func (s *scanner) str() (span, bool, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return span{}, false, false
	}
	start := s.i + 1
	esc := false
	for i := start; ; {
		i = jsonscan.QuoteOrBackslash(s.b, i)
		switch {
		case i >= len(s.b):
			return span{}, false, false
		case s.b[i] == '\\':
			esc = true
			i += 2
		default:
			s.i = i + 1
			return span{int32(start), int32(i)}, esc, true
		}
	}
}

// value passes over any value and returns where it lies.
func (s *scanner) value() (span, bool) {
	start := s.i
	if s.i >= len(s.b) {
		return span{}, false
	}
	switch s.b[s.i] {
	case '"':
		_, _, ok := s.str()
		return span{int32(start), int32(s.i)}, ok
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, _, ok := s.str(); !ok {
					return span{}, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					s.i++
					return span{int32(start), int32(s.i)}, true
				}
			}
			s.i++
		}
		return span{}, false
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return span{int32(start), int32(s.i)}, s.i > start
		}
		s.i++
	}
	return span{int32(start), int32(s.i)}, s.i > start
}

// members appends the members of the object in v to dst.
func members(b []byte, v span, dst []member) ([]member, bool) {
	s := scanner{b: b[:v.end], i: int(v.start)}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return dst, false
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		return dst, true
	}
	for {
		s.ws()
		key, esc, ok := s.str()
		if !ok {
			return dst, false
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return dst, false
		}
		s.i++
		s.ws()
		val, ok := s.value()
		if !ok {
			return dst, false
		}
		dst = append(dst, member{key: key, val: val, esc: esc})
		s.ws()
		if s.i >= len(s.b) {
			return dst, false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			return dst, true
		default:
			return dst, false
		}
	}
}

// find returns the value of key among ms; the last one wins, as in
// encoding/json and the full decoding.
func find(b []byte, ms []member, key string) (span, bool) {
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		if m.esc {
			if k, ok := decodeString(b[m.key.start:m.key.end]); ok && k == key {
				return m.val, true
			}
		} else if string(b[m.key.start:m.key.end]) == key {
			return m.val, true
		}
	}
	return span{}, false
}

// resolve looks path[i:] up below the value v, which path[:i] led to. It
// descends through objects and stops at anything else, which it decodes: the
// sigma engine walks arrays and reports dead ends itself.
func resolve(b []byte, v span, path []string, i int) (any, int) {
	var scratch [24]member // the objects of CloudTrail events are small
	for ; i < len(path) && b[v.start] == '{'; i++ {
		ms, ok := members(b, v, scratch[:0])
		if !ok {
			return nil, 0
		}
		if v, ok = find(b, ms, path[i]); !ok {
			return nil, 0
		}
	}
	x, ok := decodeValue(b[v.start:v.end])
	if !ok {
		return nil, 0
	}
	return x, i
}

// decodeValue decodes a JSON value as goccy/go-json decodes into any, which
// is what cloudtrail.Record.Fields does: the results must be equal.
func decodeValue(b []byte) (any, bool) {
	switch b[0] {
	case '"':
		return decodeString(b[1 : len(b)-1])
	case 't':
		return true, string(b) == "true"
	case 'f':
		return false, string(b) == "false"
	case 'n':
		return nil, string(b) == "null"
	case '{', '[':
		var x any
		return x, json.Unmarshal(b, &x) == nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	return f, err == nil
}

// decodeString decodes the contents of a JSON string.
func decodeString(c []byte) (string, bool) {
	if bytes.IndexByte(c, '\\') < 0 && utf8.Valid(c) {
		return string(c), true
	}
	var s string
	quoted := make([]byte, 0, len(c)+2)
	quoted = append(append(append(quoted, '"'), c...), '"')
	return s, json.Unmarshal(quoted, &s) == nil
}

// hasKey reports whether key may be a member name anywhere in b: false only
// when "key" does not occur at all. The caller makes sure no member name of b
// can be written with escapes (see event.plainKeys) and key has no character
// that would need one.
//
// It looks for the rarest byte of key with bytes.IndexByte, which skips
// most of the record in wide steps: bytes.Index anchors on the first byte, a
// frequent one in JSON, and is several times slower on absent keys.
func hasKey(b []byte, key string) bool {
	if key == "" {
		return bytes.Contains(b, []byte(`""`))
	}
	at := rarest(key)
	c := key[at]
	for off := at + 1; off < len(b); {
		j := bytes.IndexByte(b[off:], c)
		if j < 0 {
			return false
		}
		start := off + j - at
		off += j + 1
		end := start + len(key)
		if end < len(b) && b[start-1] == '"' && b[end] == '"' && string(b[start:end]) == key {
			return true
		}
	}
	return false
}

// byteRarity orders bytes from the rarest in CloudTrail's JSON text;
// bytes not listed are common.
const byteRarity = "QZJXKVYWFHGBUMPLDCRONTISEAqzjxkvwyfbg"

// rarest returns the position of key's rarest byte.
func rarest(key string) int {
	best, rank := 0, len(byteRarity)
	for i := 0; i < len(key); i++ {
		if r := strings.IndexByte(byteRarity, key[i]); r >= 0 && r < rank {
			best, rank = i, r
		}
	}
	return best
}

// plainName reports whether a member name is always written as is in JSON:
// no quote, backslash, slash (which may be written \/) or control character.
func plainName(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c == '"' || c == '\\' || c == '/' {
			return false
		}
	}
	return true
}
