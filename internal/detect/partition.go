package detect

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/sigma"
)

// partKey names a partition: the events of one account. CloudTrail's layout
// stores them as one series of files in time order per region, so the
// engine sees each partition in event-time order, region after region (each
// region a new stream, see Engine.Commit), or all regions at once when
// events come as they are delivered.
type partKey string

// partition is the correlation state of one partition.
type partition struct {
	key    partKey
	corr   *sigma.Correlator
	newest time.Time // newest event time committed
	// openings holds, per correlation window (rule id and group), the event
	// that opened it, which the correlation's detection reports.
	openings map[string]opened
	pruneAt  int
}

// opened is the event that opened a window, and when the window ends.
type opened struct {
	d   Detection
	end time.Time
}

// minPrune is the size below which openings are not pruned.
const minPrune = 1024

// noteOpening records ev as the opening event of the windows it falls in,
// unless an earlier event still opens them.
func (p *partition) noteOpening(opens []opening, ev *event) {
	t := ev.rec.EventTime
	for _, o := range opens {
		key, ok := groupKey(o.corr.ID, o.paths, ev)
		if !ok {
			continue // the Correlator ignores events without the group-by fields too
		}
		if o, ok := p.openings[key]; ok && t.Before(o.end) && !t.Before(o.d.EventTime) {
			continue
		}
		p.openings[key] = opened{d: eventFields(ev.rec), end: t.Add(o.corr.Correlation.Timespan)}
	}
}

// takeOpening returns and forgets the opening event of an alert's window.
func (p *partition) takeOpening(a sigma.Alert) (Detection, bool) {
	var b strings.Builder
	b.WriteString(a.Rule.ID)
	for _, g := range a.Group {
		b.WriteByte(0)
		b.WriteString(g)
	}
	key := b.String()
	o, ok := p.openings[key]
	delete(p.openings, key)
	return o.d, ok
}

// alertFields describes an alert without an opening event (it was pruned,
// or preceded a flush) from its window and group-by values.
func (p *partition) alertFields(a sigma.Alert) Detection {
	d := Detection{EventTime: a.Start, AccountID: string(p.key)}
	for i, f := range a.Rule.Correlation.GroupBy {
		if i >= len(a.Group) {
			break
		}
		switch f {
		case "userIdentity.arn":
			d.PrincipalARN = a.Group[i]
		case "sourceIPAddress":
			d.SourceIP = a.Group[i]
		case "awsRegion":
			d.Region = a.Group[i]
		case "eventName":
			d.EventName = a.Group[i]
		case "eventSource":
			d.EventSource = a.Group[i]
		}
	}
	return d
}

// prune forgets the openings of windows closed for good, once there are
// many: windows that closed without firing leave theirs behind.
func (p *partition) prune(lateness time.Duration) {
	if len(p.openings) < p.pruneAt {
		return
	}
	// A fresh map: deleting from a Go map never gives its memory back.
	cutoff := p.newest.Add(-lateness)
	live := make(map[string]opened, len(p.openings))
	for k, o := range p.openings {
		if !o.end.Before(cutoff) {
			live[k] = o
		}
	}
	p.openings = live
	p.pruneAt = max(minPrune, 2*len(p.openings))
}

// groupKey returns the key of ev's group in a correlation, as the
// Correlator's alerts name it: the rule id and the group-by values.
func groupKey(ruleID string, paths [][]string, ev sigma.Event) (string, bool) {
	var b strings.Builder
	b.WriteString(ruleID)
	for _, path := range paths {
		v, ok := firstText(ev, path)
		if !ok {
			return "", false
		}
		b.WriteByte(0)
		b.WriteString(v)
	}
	return b.String(), true
}

// firstText returns the text of the first non-null value at path, as the
// sigma Correlator reads group-by fields.
func firstText(ev sigma.Event, path []string) (string, bool) {
	v, n := ev.Lookup(path)
	if n == 0 {
		return "", false
	}
	return firstIn(v, path[n:])
}

func firstIn(v any, rest []string) (string, bool) {
	for ; len(rest) > 0; rest = rest[1:] {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[rest[0]]; !ok {
				return "", false
			}
		case []any:
			for _, e := range x {
				if s, ok := firstIn(e, rest); ok {
					return s, true
				}
			}
			return "", false
		default:
			return "", false
		}
	}
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return "", false
	}
	return strings.TrimSuffix(buf.String(), "\n"), true
}
