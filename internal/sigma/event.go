package sigma

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Event is one log record as the matcher sees it.
//
// Values handed to the engine use the types of encoding/json's generic
// decoding: nil (JSON null), bool, float64 or json.Number, string, []any and
// map[string]any; int, int64 and uint64 are accepted as numbers too.
type Event interface {
	// Lookup resolves a leading part of path, a Sigma field name split at its
	// dots ("userIdentity.arn" is ["userIdentity", "arn"]), and returns the
	// value found with the number n of path elements consumed. n == 0 means
	// the field is absent; a JSON null is (nil, n > 0). The engine resolves the
	// remaining path[n:] itself through map[string]any and []any values, so an
	// implementation may stop after the first element, or at an array. path is
	// shared by all evaluations and must not be modified or retained.
	Lookup(path []string) (value any, n int)

	// JSON returns the event's JSON text. It is only used by keyword
	// (full-text) searches; nil makes them fail.
	JSON() []byte
}

// MapEvent is an Event over a decoded JSON object. It is not safe for
// concurrent use when Raw is unset (JSON caches it).
type MapEvent struct {
	Fields map[string]any
	// Raw is the object's JSON text if the caller has it; otherwise JSON
	// marshals Fields once and caches the result here.
	Raw []byte
}

// Lookup implements Event. It descends through nested objects and stops at
// the first non-object value.
func (e *MapEvent) Lookup(path []string) (any, int) {
	m := e.Fields
	for i, key := range path {
		v, ok := m[key]
		if !ok {
			return nil, 0
		}
		next, isMap := v.(map[string]any)
		if i == len(path)-1 || !isMap {
			return v, i + 1
		}
		m = next
	}
	return nil, 0
}

// JSON implements Event.
func (e *MapEvent) JSON() []byte {
	if e.Raw == nil {
		e.Raw = []byte(jsonText(e.Fields))
	}
	return e.Raw
}

// scalarText returns the text a string pattern is compared with: strings as
// they are, booleans as "true"/"false", numbers in their shortest decimal form.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case json.Number:
		return string(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	}
	return "", false
}

// number returns the value of a JSON number. Strings are not numbers here:
// they compare as text.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// jsonText renders a value as compact JSON without HTML escaping, so that
// patterns like '<YOUR-BUCKET-NAME>' can match it. Object keys are sorted.
func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return ""
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
