package controls

import (
	"testing"

	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/sigma"
)

// The control judges alarms and EventBridge rules against the same CIS
// events that the built-in rule pack alerts on: every sample event of a CIS
// item must fire one of that item's rules in the pack, so the audit and the
// detections cannot drift apart.
func TestCISSamplesFireThePacksRules(t *testing.T) {
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*sigma.Rule{}
	for _, r := range pack {
		byID[r.ID] = r
	}
	items := map[string]rules.CISItem{}
	for _, it := range rules.CISMonitoring() {
		items[it.ID] = it
	}
	for _, ev := range cisEvents {
		it, ok := items[ev.CIS]
		if !ok {
			t.Errorf("CIS %s: no item in the rule pack", ev.CIS)
			continue
		}
		for i, s := range ev.Samples {
			fired := false
			for _, id := range it.RuleIDs {
				r := byID[id]
				if r == nil {
					t.Fatalf("CIS %s: rule %s is not in the pack", ev.CIS, id)
				}
				if r.Correlation == nil && r.Match(&sigma.MapEvent{Fields: s.Record, Raw: []byte(s.Text)}) {
					fired = true
				}
			}
			if !fired {
				t.Errorf("CIS %s (%s) sample %d (%v) fires none of the pack's rules %v", ev.CIS, ev.Title, i, s.Record["eventName"], it.RuleIDs)
			}
		}
	}
}
