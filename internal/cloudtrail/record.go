package cloudtrail

import (
	"sync"
	"time"

	json "github.com/goccy/go-json"
)

// Record is one CloudTrail event: the fields every consumer needs, extracted
// without decoding the whole event, plus the raw JSON for the rest.
//
// Share a Record by pointer: it caches its full decoding.
type Record struct {
	EventID     string
	EventTime   time.Time // UTC
	EventName   string
	EventSource string
	EventType   string
	AWSRegion   string
	// AccountID is recipientAccountId, else userIdentity.accountId.
	AccountID    string
	IdentityType string // userIdentity.type: IAMUser, AssumedRole, Root, AWSService…
	// PrincipalARN is userIdentity.arn: the session ARN for AssumedRole, and
	// arn:PARTITION:iam::ACCOUNT:root for Root even when CloudTrail omits it.
	PrincipalARN string
	// RoleARN is the role behind an AssumedRole session (the session issuer,
	// else derived from the session ARN); empty for other identity types.
	RoleARN         string
	AccessKeyID     string
	SourceIPAddress string
	UserAgent       string
	ErrorCode       string
	ReadOnly        bool

	// Raw is the event's JSON. The Record's strings do not alias it, but
	// Fields decodes it once: do not modify it.
	Raw []byte

	once   sync.Once
	fields map[string]any
	err    error
}

// Fields decodes the whole event into a map (numbers become float64), once;
// later calls return the cached map, which callers must not modify. It is safe
// for concurrent use.
func (r *Record) Fields() (map[string]any, error) {
	r.once.Do(func() {
		r.err = json.Unmarshal(r.Raw, &r.fields)
	})
	return r.fields, r.err
}
