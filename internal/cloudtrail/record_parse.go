package cloudtrail

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"
	"github.com/secure-baseline/baseline/internal/jsonscan"
)

// The fields ParseRecord extracts. The hand parser below reads only these and
// skips every other value without decoding it, with one allocation for all
// the strings. Fed by Splitter.NextRecord, which tells it where each top-level
// member ends, it jumps over requestParameters and the like without reading
// them: faster than goccy/go-json into a struct of the same fields, with a
// quarter of the allocations (BenchmarkSplitParse, BenchmarkParseRecord).
const (
	fEventID = iota
	fEventName
	fEventSource
	fEventType
	fRegion
	fRecipient
	fIdentityType
	fIdentityARN
	fIdentityAccount
	fAccessKeyID
	fIssuerARN
	fSourceIP
	fUserAgent
	fErrorCode
	fEventTime  // parsed, not kept as a string
	fIssuerType // compared, not kept
	nFields
	nStringFields = fEventTime
)

// Object nesting levels whose members hold fields.
const (
	lvlTop = iota
	lvlIdentity
	lvlSession
	lvlIssuer
)

type recParser struct {
	b        []byte
	i        int
	members  []int32         // where each top-level member ends, when the splitter knows
	val      [nFields][]byte // raw string contents
	escaped  [nFields]bool   // contents hold escapes and must be decoded
	readOnly bool
}

// ParseRecord extracts a Record from one event's JSON. The Record keeps raw as
// its Raw field (it is not copied); its strings are copied out of raw.
func ParseRecord(raw []byte) (*Record, error) {
	return parseRecord(raw, nil)
}

// parseRecord parses raw; members, when not nil, holds the offsets of raw's
// top-level ',' separators and closing '}' so unwanted values are jumped over.
func parseRecord(raw []byte, members []int32) (*Record, error) {
	p := recParser{b: raw, members: members}
	p.ws()
	if err := p.object(lvlTop); err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, p.errorf("trailing data after the record")
	}
	return p.record(raw)
}

func (p *recParser) record(raw []byte) (*Record, error) {
	total := 0
	for f := range nStringFields {
		if p.escaped[f] {
			v, err := unescape(p.val[f])
			if err != nil {
				return nil, fmt.Errorf("record: %w", err)
			}
			p.val[f] = v
		}
		total += len(p.val[f])
	}
	// One allocation holds every string of the record.
	var sb strings.Builder
	sb.Grow(total)
	var ends [nStringFields]int
	for f := range nStringFields {
		sb.Write(p.val[f])
		ends[f] = sb.Len()
	}
	all := sb.String()
	str := func(f int) string {
		if f == 0 {
			return all[:ends[0]]
		}
		return all[ends[f-1]:ends[f]]
	}

	t, err := parseTime(p.val[fEventTime])
	if err != nil {
		return nil, fmt.Errorf("record: eventTime: %w", err)
	}
	r := &Record{
		EventID:         str(fEventID),
		EventTime:       t,
		EventName:       str(fEventName),
		EventSource:     str(fEventSource),
		EventType:       str(fEventType),
		AWSRegion:       str(fRegion),
		AccountID:       str(fRecipient),
		IdentityType:    str(fIdentityType),
		PrincipalARN:    str(fIdentityARN),
		AccessKeyID:     str(fAccessKeyID),
		SourceIPAddress: str(fSourceIP),
		UserAgent:       str(fUserAgent),
		ErrorCode:       str(fErrorCode),
		ReadOnly:        p.readOnly,
		Raw:             raw,
	}
	identityAccount := str(fIdentityAccount)
	if r.AccountID == "" {
		r.AccountID = identityAccount
	}
	switch r.IdentityType {
	case "AssumedRole":
		if string(p.val[fIssuerType]) == "Role" && len(p.val[fIssuerARN]) > 0 {
			r.RoleARN = str(fIssuerARN)
		} else {
			r.RoleARN = RoleARNFromSession(r.PrincipalARN)
		}
	case "Root":
		if r.PrincipalARN == "" && identityAccount != "" {
			r.PrincipalARN = "arn:" + partitionOf(r.AWSRegion) + ":iam::" + identityAccount + ":root"
		}
	}
	return r, nil
}

// object parses the object at p.i, keeping the fields of the given level.
func (p *recParser) object(level int) error {
	if !p.eat('{') {
		return p.errorf("expected an object")
	}
	p.ws()
	if p.eat('}') {
		return nil
	}
	for k := 0; ; k++ {
		p.ws()
		key, err := p.str()
		if err != nil {
			return err
		}
		p.ws()
		if !p.eat(':') {
			return p.errorf("expected ':'")
		}
		p.ws()
		if known, err := p.member(level, key); err != nil {
			return err
		} else if !known {
			if level == lvlTop && k < len(p.members) {
				p.i = int(p.members[k])
			} else if err := p.skip(); err != nil {
				return err
			}
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return nil
		}
		return p.errorf("expected ',' or '}'")
	}
}

// member reads the value of key if it holds a field, and reports whether it did.
func (p *recParser) member(level int, key []byte) (bool, error) {
	switch level {
	case lvlTop:
		switch string(key) {
		case "eventID":
			return true, p.field(fEventID)
		case "eventTime":
			return true, p.field(fEventTime)
		case "eventName":
			return true, p.field(fEventName)
		case "eventSource":
			return true, p.field(fEventSource)
		case "eventType":
			return true, p.field(fEventType)
		case "awsRegion":
			return true, p.field(fRegion)
		case "recipientAccountId":
			return true, p.field(fRecipient)
		case "sourceIPAddress":
			return true, p.field(fSourceIP)
		case "userAgent":
			return true, p.field(fUserAgent)
		case "errorCode":
			return true, p.field(fErrorCode)
		case "readOnly":
			return true, p.readOnlyField()
		case "userIdentity":
			return true, p.nested(lvlIdentity)
		}
	case lvlIdentity:
		switch string(key) {
		case "type":
			return true, p.field(fIdentityType)
		case "arn":
			return true, p.field(fIdentityARN)
		case "accountId":
			return true, p.field(fIdentityAccount)
		case "accessKeyId":
			return true, p.field(fAccessKeyID)
		case "sessionContext":
			return true, p.nested(lvlSession)
		}
	case lvlSession:
		if string(key) == "sessionIssuer" {
			return true, p.nested(lvlIssuer)
		}
	case lvlIssuer:
		switch string(key) {
		case "type":
			return true, p.field(fIssuerType)
		case "arn":
			return true, p.field(fIssuerARN)
		}
	}
	return false, nil
}

// nested parses an object holding fields, or null. Like encoding/json, a
// repeated key overwrites what came before.
func (p *recParser) nested(level int) error {
	if p.literal("null") {
		return nil
	}
	return p.object(level)
}

// field reads a string field; null leaves it empty.
func (p *recParser) field(f int) error {
	if p.literal("null") {
		p.val[f], p.escaped[f] = nil, false
		return nil
	}
	s, err := p.str()
	if err != nil {
		return err
	}
	// Invalid UTF-8 is decoded too, so it becomes U+FFFD as with encoding/json.
	p.val[f], p.escaped[f] = s, bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s)
	return nil
}

// readOnlyField accepts a boolean, null, or the strings "true"/"false" some
// producers write.
func (p *recParser) readOnlyField() error {
	switch {
	case p.literal("true"), p.literal(`"true"`):
		p.readOnly = true
	case p.literal("false"), p.literal(`"false"`), p.literal("null"):
		p.readOnly = false
	default:
		return p.errorf("readOnly: expected a boolean")
	}
	return nil
}

// literal consumes lit if the input continues with it as a whole token.
func (p *recParser) literal(lit string) bool {
	end := p.i + len(lit)
	if end > len(p.b) || string(p.b[p.i:end]) != lit {
		return false
	}
	if end < len(p.b) && isScalarByte(p.b[end]) {
		return false
	}
	p.i = end
	return true
}

// str parses a string and returns its raw contents, escapes undecoded.
func (p *recParser) str() ([]byte, error) {
	if !p.eat('"') {
		return nil, p.errorf("expected a string")
	}
	start := p.i
	for {
		p.i = jsonscan.QuoteOrBackslash(p.b, p.i)
		if p.i >= len(p.b) {
			p.i = len(p.b)
			return nil, p.errorf("unterminated string")
		}
		if p.b[p.i] == '"' {
			p.i++
			return p.b[start : p.i-1], nil
		}
		p.i += 2
	}
}

// skip passes over any value without decoding it.
func (p *recParser) skip() error {
	if p.i >= len(p.b) {
		return p.errorf("expected a value")
	}
	switch class[p.b[p.i]] {
	case clsQuote:
		_, err := p.str()
		return err
	case clsOpen:
		depth := 0
		for p.i < len(p.b) {
			switch class[p.b[p.i]] {
			case clsQuote:
				if _, err := p.str(); err != nil {
					return err
				}
				continue
			case clsOpen:
				depth++
			case clsClose:
				depth--
				if depth == 0 {
					p.i++
					return nil
				}
			case clsBad:
				return p.errorf("invalid byte %q", p.b[p.i])
			}
			p.i++
		}
		return p.errorf("unterminated value")
	}
	start := p.i
	for p.i < len(p.b) && isScalarByte(p.b[p.i]) {
		p.i++
	}
	if p.i == start {
		return p.errorf("expected a value")
	}
	return nil
}

func isScalarByte(c byte) bool {
	return class[c] == clsPlain && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ':'
}

func (p *recParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *recParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *recParser) errorf(format string, args ...any) error {
	return fmt.Errorf("record: byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

// unescape decodes JSON string contents that hold escapes or invalid UTF-8
// (a rare path).
func unescape(contents []byte) ([]byte, error) {
	quoted := make([]byte, 0, len(contents)+2)
	quoted = append(append(append(quoted, '"'), contents...), '"')
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// parseTime reads CloudTrail's "2006-01-02T15:04:05Z" by hand and anything
// else RFC 3339 through time.Parse. An absent time is the zero time.
func parseTime(b []byte) (time.Time, error) {
	if len(b) == 0 {
		return time.Time{}, nil
	}
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		y, ok1 := digits(b[0:4])
		mo, ok2 := digits(b[5:7])
		d, ok3 := digits(b[8:10])
		h, ok4 := digits(b[11:13])
		mi, ok5 := digits(b[14:16])
		s, ok6 := digits(b[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && h < 24 && mi < 60 && s < 60 {
			t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
			if t.Day() == d { // time.Date normalises Feb 30; time.Parse rejects it
				return t, nil
			}
		}
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("not an RFC 3339 time: %q", b)
	}
	return t.UTC(), nil
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
