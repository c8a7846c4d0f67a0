package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"github.com/secure-baseline/baseline/internal/detect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// events is how many events a detection stands for (a correlation counts its window).
func events(d *detect.Detection) int64 { return max(d.Count, 1) }

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
func newAlert(ds []detect.Detection) *Alert {
	first := ds[0]
	a := &Alert{
		RuleID: first.RuleID, RuleTitle: first.RuleTitle, Level: first.Level,
		PrincipalARN: first.PrincipalARN, AccountID: first.AccountID, Region: first.Region,
		SourceIP: first.SourceIP, EventName: first.EventName, EventSource: first.EventSource,
		FirstTime: first.EventTime, LastTime: first.EventTime,
	}
	keys := make([]string, 0, len(ds))
	for _, d := range ds {
		a.Count += events(&d)
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
