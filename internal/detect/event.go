package detect

import (
	"bytes"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// event is a cloudtrail.Record as the sigma engine sees it.
//
// Most lookups are served from the fields the record parser already
// extracted: the rule set's prefilter (eventName, eventSource) and most
// conditions (errorCode, userIdentity.type, sourceIPAddress...). The others
// are resolved in the raw JSON, decoding only the value found; a field absent
// from the record is usually known to be absent from one substring search.
// The event is never decoded whole. The results equal those of the full
// decoding (Record.Fields), which TestLookupMatchesFullDecoding checks.
//
// An event is used by one goroutine at a time.
type event struct {
	rec *cloudtrail.Record
	// top holds the record's top-level members once a lookup needed them.
	top     []member
	indexed bool
	// plainKeys: no member name of the record can be written with escapes,
	// so a name that does not occur in the text is absent.
	plainKeys, plainChecked bool
}

func (e *event) reset(rec *cloudtrail.Record) {
	*e = event{rec: rec, top: e.top[:0]}
}

// JSON implements sigma.Event, for keyword searches.
func (e *event) JSON() []byte { return e.rec.Raw }

// Lookup implements sigma.Event.
func (e *event) Lookup(path []string) (any, int) {
	if s, n := e.extracted(path); n > 0 {
		return s, n
	}
	return e.lookupRaw(path)
}

// extracted returns the parser's value of path, or n == 0. An empty string
// may stand for an absent or null field, so it is left to lookupRaw.
func (e *event) extracted(path []string) (string, int) {
	r := e.rec
	var s string
	n := 1
	switch path[0] {
	case "eventName":
		s = r.EventName
	case "eventSource":
		s = r.EventSource
	case "eventType":
		s = r.EventType
	case "eventID":
		s = r.EventID
	case "awsRegion":
		s = r.AWSRegion
	case "sourceIPAddress":
		s = r.SourceIPAddress
	case "userAgent":
		s = r.UserAgent
	case "errorCode":
		s = r.ErrorCode
	case "userIdentity":
		if len(path) < 2 {
			return "", 0
		}
		n = 2
		switch path[1] {
		case "type":
			s = r.IdentityType
		case "accessKeyId":
			s = r.AccessKeyID
		case "arn":
			if r.IdentityType != "Root" { // the parser makes up root's ARN when it is missing
				s = r.PrincipalARN
			}
		}
	}
	if s == "" {
		return "", 0
	}
	return s, n
}

// index lists the record's top-level members, once.
func (e *event) index() {
	if e.indexed {
		return
	}
	var ok bool
	e.top, ok = members(e.rec.Raw, span{0, int32(len(e.rec.Raw))}, e.top[:0])
	if !ok {
		e.top = e.top[:0] // not an object: every field is absent
	}
	e.indexed = true
}

func (e *event) lookupRaw(path []string) (any, int) {
	raw := e.rec.Raw
	if !e.plainChecked {
		e.plainKeys = !bytes.Contains(raw, []byte(`\u`)) && !bytes.Contains(raw, []byte(`\/`))
		e.plainChecked = true
	}
	if e.plainKeys && !e.indexed {
		for _, k := range path {
			if plainName(k) && !hasKey(raw, k) {
				return nil, 0
			}
		}
	}
	e.index()
	v, ok := find(raw, e.top, path[0])
	if !ok {
		return nil, 0
	}
	return resolve(raw, v, path, 1)
}
