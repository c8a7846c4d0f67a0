package alert

import (
	"github.com/secure-baseline/baseline/internal/detect"
	"slices"
	"testing"
	"time"
)

func TestNewAlertSummarisesAGroup(t *testing.T) {
	ds := []detect.Detection{det("r1", "arn:p", 3), det("r1", "arn:p", 1), det("r1", "arn:p", 2)}
	ds[2].Count = 5 // a correlation measured five events
	a := newAlert(ds)
	if a.Count != 7 || !a.FirstTime.Equal(t0.Add(time.Second)) || !a.LastTime.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("count %d, first %v, last %v", a.Count, a.FirstTime, a.LastTime)
	}
	if len(a.EventIDs) != 3 || a.PrincipalARN != "arn:p" || a.RuleID != "r1" {
		t.Fatalf("%+v", a)
	}
	// The id depends on the detections, not on their order.
	slices.Reverse(ds)
	if b := newAlert(ds); b.ID != a.ID || len(a.ID) != 32 {
		t.Fatalf("ids %q %q", a.ID, b.ID)
	}
	if c := newAlert(ds[:2]); c.ID == a.ID {
		t.Fatal("a different group has the same id")
	}
	if got := a.Subject(); got != "[HIGH] Title of r1 (7 events)" {
		t.Fatalf("subject %q", got)
	}
}

func TestNewAlertCapsEventIDs(t *testing.T) {
	var ds []detect.Detection
	for i := range MaxEventIDs + 10 {
		ds = append(ds, det("r", "p", i))
	}
	if a := newAlert(ds); len(a.EventIDs) != MaxEventIDs || a.Count != int64(MaxEventIDs+10) {
		t.Fatalf("%d ids, count %d", len(a.EventIDs), a.Count)
	}
}

func TestKeyWithoutEventID(t *testing.T) {
	d := det("r", "p", 1)
	d.EventID = ""
	e := d
	e.EventTime = e.EventTime.Add(time.Second)
	if d.Key() == e.Key() || d.Key() == "r/" {
		t.Fatalf("keys %q %q", d.Key(), e.Key())
	}
}

func TestBackoffStaysWithinItsCeiling(t *testing.T) {
	r := Retry{Attempts: 10, Initial: 100 * time.Millisecond, Max: time.Second}.withDefaults()
	for attempt, ceil := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 9: time.Second} {
		var sum time.Duration
		for range 200 {
			d := r.backoff(attempt, 0)
			if d < 0 || d > ceil {
				t.Fatalf("attempt %d: %v outside [0, %v]", attempt, d, ceil)
			}
			sum += d
		}
		// Full jitter: spread over the range, not pinned to an end.
		if mean := sum / 200; mean < ceil/4 || mean > 3*ceil/4 {
			t.Fatalf("attempt %d: mean %v for a ceiling of %v", attempt, mean, ceil)
		}
	}
	if d := r.backoff(1, 700*time.Millisecond); d < 700*time.Millisecond {
		t.Fatalf("Retry-After not honoured: %v", d)
	}
	if d := r.backoff(1, time.Hour); d != time.Second {
		t.Fatalf("Retry-After not capped: %v", d)
	}
}
