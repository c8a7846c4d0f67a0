package sigma

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// group is the state of one correlation for one combination of group-by
// values. Windows are half-open: a window starting at s covers [s, s+span).
type group struct {
	key       string
	values    []string
	entries   []entry // observations, sorted by time
	deadline  int64   // when the Correlator must next look at the group
	scheduled bool
	// The open absence window, if any.
	open      bool
	openStart int64
	openCount int64
}

type entry struct {
	t     int64 // event time, Unix nanoseconds
	ref   int   // index into correlation.refs
	value string
}

// observe records a match of k.refs[ref] on ev at time t.
func (k *correlation) observe(c *Correlator, ref int, ev Event, t int64, out []Alert) []Alert {
	// Events without a group-by (or counted) field are ignored, as by a
	// SIEM's "stats ... by field".
	values := make([]string, len(k.groupPaths[ref]))
	for i, p := range k.groupPaths[ref] {
		v, ok := firstText(ev, p)
		if !ok {
			return out
		}
		values[i] = v
	}
	e := entry{t: t, ref: ref}
	if k.typ == ValueCount {
		v, ok := firstText(ev, k.valuePaths[ref])
		if !ok {
			return out
		}
		e.value = v
	}
	key := strings.Join(values, "\x00")
	g := k.groups[key]
	if g == nil {
		g = &group{key: key, values: values}
		k.groups[key] = g
	}
	if k.typ == Absence {
		k.observeAbsence(g, e, c.watermark)
	} else {
		out = k.observeCount(g, e, c.watermark, out)
	}
	c.schedule(k, g)
	return out
}

func (k *correlation) observeAbsence(g *group, e entry, watermark int64) {
	if e.ref < k.nOpen {
		switch {
		case g.open:
			g.openCount++
		case !slices.ContainsFunc(g.entries, func(x entry) bool { return x.t >= e.t && x.t < e.t+k.span }):
			// Not already followed by a closing event that arrived earlier.
			g.open, g.openStart, g.openCount = true, e.t, 1
		}
		return
	}
	if g.open && e.t >= g.openStart && e.t < g.openStart+k.span {
		g.open = false
	}
	g.insert(e) // kept for opening events that arrive late
	g.dropLeading(len(g.entries), func(x entry) bool { return x.t < watermark })
}

// observeCount adds an observation and, for conditions without an upper
// bound, fires as soon as a window containing it satisfies the condition.
// The group is then emptied, so the next alert needs fresh events.
func (k *correlation) observeCount(g *group, e entry, watermark int64, out []Alert) []Alert {
	i := g.insert(e)
	if k.cond.bounded() {
		return out // decided when windows close (expire)
	}
	// Entries whose windows end at the watermark can no longer count,
	// except the new one (late events are evaluated best-effort).
	i -= g.dropLeading(i, func(x entry) bool { return x.t+k.span <= watermark })
	es := g.entries
	first := sort.Search(len(es), func(j int) bool { return es[j].t+k.span > e.t })
	for s := first; s <= i; s++ {
		hi := sort.Search(len(es), func(j int) bool { return es[j].t >= es[s].t+k.span })
		if n := k.measure(es[s:hi]); k.cond.holds(n) {
			out = append(out, k.alert(g, es[s].t, es[hi-1].t, n))
			g.entries = g.entries[:0]
			return out
		}
		if i == len(es)-1 {
			break // nothing newer: the earliest window holds the most
		}
	}
	return out
}

// expire updates g once the watermark reaches its deadline.
func (k *correlation) expire(g *group, watermark int64, out []Alert) []Alert {
	switch {
	case k.typ == Absence:
		if g.open && g.openStart+k.span <= watermark {
			out = append(out, k.alert(g, g.openStart, g.openStart+k.span, g.openCount))
			g.open = false
		}
		// Closing events only matter to opening events not yet late.
		g.dropLeading(len(g.entries), func(x entry) bool { return x.t < watermark })
	case k.cond.bounded():
		for len(g.entries) > 0 && g.entries[0].t+k.span <= watermark {
			es := g.entries
			hi := sort.Search(len(es), func(j int) bool { return es[j].t >= es[0].t+k.span })
			if n := k.measure(es[:hi]); k.cond.holds(n) {
				out = append(out, k.alert(g, es[0].t, es[hi-1].t, n))
				g.entries = slices.Delete(es, 0, hi)
			} else {
				g.entries = slices.Delete(es, 0, 1)
			}
		}
	default:
		g.dropLeading(len(g.entries), func(x entry) bool { return x.t+k.span <= watermark })
	}
	return out
}

// nextDeadline returns when g next needs attention, or false when it holds
// no state any more.
func (k *correlation) nextDeadline(g *group) (int64, bool) {
	n := len(g.entries)
	switch {
	case k.typ == Absence && g.open:
		return g.openStart + k.span, true
	case n == 0:
		return 0, false
	case k.typ == Absence:
		return g.entries[n-1].t + 1, true
	case k.cond.bounded():
		return g.entries[0].t + k.span, true
	}
	return g.entries[n-1].t + k.span, true
}

// measure is what the condition bounds, over a window's entries.
func (k *correlation) measure(es []entry) int64 {
	switch k.typ {
	case ValueCount:
		clear(k.seenValues)
		for _, e := range es {
			k.seenValues[e.value] = true
		}
		return int64(len(k.seenValues))
	case Temporal:
		clear(k.seenRules)
		n := int64(0)
		for _, e := range es {
			if !k.seenRules[e.ref] {
				k.seenRules[e.ref] = true
				n++
			}
		}
		return n
	case TemporalOrdered:
		// Greedy in-order matching finds the longest prefix of the rule
		// sequence that occurs in order.
		next := 0
		for _, e := range es {
			if next < len(k.refs) && e.ref == next {
				next++
			}
		}
		return int64(next)
	}
	return int64(len(es))
}

func (k *correlation) alert(g *group, start, end, n int64) Alert {
	return Alert{
		Rule:  k.rule,
		Group: slices.Clone(g.values),
		Start: time.Unix(0, start).UTC(),
		End:   time.Unix(0, end).UTC(),
		Count: n,
	}
}

// dropLeading removes up to limit leading entries for which old holds, and
// returns how many it removed; old must hold for a prefix of the entries.
func (g *group) dropLeading(limit int, old func(entry) bool) int {
	n := sort.Search(limit, func(j int) bool { return !old(g.entries[j]) })
	g.entries = slices.Delete(g.entries, 0, n)
	return n
}

// insert adds e after the entries with the same or an earlier time and
// returns its index.
func (g *group) insert(e entry) int {
	i := sort.Search(len(g.entries), func(j int) bool { return g.entries[j].t > e.t })
	g.entries = slices.Insert(g.entries, i, e)
	return i
}
