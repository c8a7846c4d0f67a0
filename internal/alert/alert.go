package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Detection is one rule firing on one event, as the detection engine reports
// it. The JSON names are those of `trail detect --format json`.
type Detection struct {
	RuleID       string    `json:"rule_id"`
	RuleTitle    string    `json:"rule_title"`
	Level        string    `json:"level"`
	EventID      string    `json:"event_id"`
	EventTime    time.Time `json:"event_time"`
	EventName    string    `json:"event_name"`
	EventSource  string    `json:"event_source"`
	AccountID    string    `json:"account_id"`
	Region       string    `json:"region"`
	PrincipalARN string    `json:"principal_arn"`
	SourceIP     string    `json:"source_ip"`
	// Count is what a correlation rule measured (events, distinct values);
	// zero or one for a plain rule.
	Count int64 `json:"count,omitempty"`
}

// Key identifies a detection across runs: the same rule on the same event is
// the same detection, however often the event is delivered.
func (d *Detection) Key() string {
	if d.EventID != "" {
		return d.RuleID + "/" + d.EventID
	}
	// Correlation closings may have no event of their own.
	return d.RuleID + "/" + d.PrincipalARN + "@" + d.EventTime.UTC().Format(time.RFC3339Nano)
}

func (d *Detection) events() int64 { return max(d.Count, 1) }

// MaxEventIDs bounds the event ids one alert lists; Count still counts all.
const MaxEventIDs = 100

// Alert is what sinks deliver: the detections of one rule and one principal
// within a grouping window, so that a burst is one message.
type Alert struct {
	// ID is stable for a given set of detections: receivers can drop a
	// redelivered alert by it (it is also the FIFO deduplication id).
	ID           string    `json:"id"`
	RuleID       string    `json:"rule_id"`
	RuleTitle    string    `json:"rule_title"`
	Level        string    `json:"level"`
	PrincipalARN string    `json:"principal_arn"`
	AccountID    string    `json:"account_id"`
	Region       string    `json:"region"`
	SourceIP     string    `json:"source_ip"`
	EventName    string    `json:"event_name"`
	EventSource  string    `json:"event_source"`
	Count        int64     `json:"count"` // events, summed over the detections
	FirstTime    time.Time `json:"first_time"`
	LastTime     time.Time `json:"last_time"`
	EventIDs     []string  `json:"event_ids"`
}

// newAlert summarises detections of one group; the first one names the
// account, region, source and event shown.
func newAlert(ds []Detection) *Alert {
	first := ds[0]
	a := &Alert{
		RuleID: first.RuleID, RuleTitle: first.RuleTitle, Level: first.Level,
		PrincipalARN: first.PrincipalARN, AccountID: first.AccountID, Region: first.Region,
		SourceIP: first.SourceIP, EventName: first.EventName, EventSource: first.EventSource,
		FirstTime: first.EventTime, LastTime: first.EventTime,
	}
	keys := make([]string, 0, len(ds))
	for _, d := range ds {
		a.Count += d.events()
		if d.EventTime.Before(a.FirstTime) {
			a.FirstTime = d.EventTime
		}
		if d.EventTime.After(a.LastTime) {
			a.LastTime = d.EventTime
		}
		if d.EventID != "" && len(a.EventIDs) < MaxEventIDs {
			a.EventIDs = append(a.EventIDs, d.EventID)
		}
		keys = append(keys, d.Key())
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	a.ID = hex.EncodeToString(h.Sum(nil)[:16])
	return a
}

// Subject is a one-line summary: "[HIGH] CloudTrail logging stopped (3 events)".
func (a *Alert) Subject() string {
	s := "[" + strings.ToUpper(a.Level) + "] " + a.RuleTitle
	if a.Count > 1 {
		s += " (" + strconv.FormatInt(a.Count, 10) + " events)"
	}
	return s
}
