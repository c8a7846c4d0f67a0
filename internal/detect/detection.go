package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/sigma"
)

// Detection is a rule that fired: a detection rule on one event, or a
// correlation rule on a window of events. Its JSON form is the contract of
// `trail detect --format json`.
type Detection struct {
	RuleID    string `json:"rule_id"`
	RuleTitle string `json:"rule_title"`
	Level     string `json:"level"`
	// The event fields are those of the matching event; for a correlation,
	// those of the event that opened the window that fired.
	EventID      string    `json:"event_id"`
	EventTime    time.Time `json:"event_time"`
	EventName    string    `json:"event_name"`
	EventSource  string    `json:"event_source"`
	AccountID    string    `json:"account_id"`
	Region       string    `json:"region"`
	PrincipalARN string    `json:"principal_arn"`
	SourceIP     string    `json:"source_ip"`
	// Count is what a correlation measured (events, distinct values or
	// rules); zero for detection rules.
	Count int64    `json:"count,omitempty"`
	Tags  []string `json:"-"`
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

// Correlation reports whether the detection comes from a correlation rule.
func (d *Detection) Correlation() bool { return d.Count > 0 }

func eventFields(r *cloudtrail.Record) Detection {
	return Detection{
		EventID: r.EventID, EventTime: r.EventTime, EventName: r.EventName, EventSource: r.EventSource,
		AccountID: r.AccountID, Region: r.AWSRegion, PrincipalARN: r.PrincipalARN, SourceIP: r.SourceIPAddress,
	}
}

func (d *Detection) setRule(r *sigma.Rule) {
	d.RuleID, d.RuleTitle, d.Level, d.Tags = r.ID, r.Title, r.Level, r.Tags
}

// Levels are Sigma's rule levels, lowest first.
var Levels = []string{"informational", "low", "medium", "high", "critical"}

// levelRank returns the position of a level in Levels; a rule without a
// (known) level ranks lowest.
func levelRank(level string) int {
	for i, l := range Levels {
		if strings.EqualFold(l, level) {
			return i
		}
	}
	return 0
}

// checkLevel validates a --min-level value.
func checkLevel(level string) error {
	for _, l := range Levels {
		if strings.EqualFold(l, level) {
			return nil
		}
	}
	return fmt.Errorf("detect: unknown level %q (want one of %s)", level, strings.Join(Levels, ", "))
}
