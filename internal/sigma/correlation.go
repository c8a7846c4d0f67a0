package sigma

import (
	"container/heap"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Alert is the firing of a correlation rule.
type Alert struct {
	Rule  *Rule
	Group []string // values of the rule's group-by fields, in order
	// Start and End are the times of the first and last events of the
	// window; for absence, the opening event and the end of its window.
	Start, End time.Time
	// Count is what the condition measured: events (event_count), distinct
	// values (value_count), distinct rules (temporal, temporal_ordered) or
	// opening events (absence).
	Count int64
}

// DefaultLateness is how far behind the newest event time a Correlator still
// expects events: CloudTrail delivers files about every five minutes, with
// events unordered inside them.
const DefaultLateness = 5 * time.Minute

// CorrelatorOption configures NewCorrelator.
type CorrelatorOption func(*Correlator)

// WithLateness sets the allowed out-of-orderness of event times.
func WithLateness(d time.Duration) CorrelatorOption {
	return func(c *Correlator) { c.lateness = int64(d) }
}

// Correlator evaluates correlation rules over the stream of detection rule
// matches. Time is event time: the watermark is the newest event time seen
// minus the lateness, and a window is final once the watermark passes its
// end. A Correlator is not safe for concurrent use.
type Correlator struct {
	corrs     []*correlation
	byRule    map[string][]link // detection rule id -> where it is referenced
	generates map[string]bool
	lateness  int64
	watermark int64
	deadlines deadlineHeap
}

type link struct {
	corr *correlation
	ref  int // index into correlation.refs
}

// NewCorrelator prepares the correlation rules among rules; the detection
// rules they reference (by id or name) must be among rules too.
func NewCorrelator(rules []*Rule, opts ...CorrelatorOption) (*Correlator, error) {
	c := &Correlator{
		byRule:    map[string][]link{},
		generates: map[string]bool{},
		lateness:  int64(DefaultLateness),
		watermark: math.MinInt64,
	}
	for _, o := range opts {
		o(c)
	}
	byRef := map[string]*Rule{}
	for _, r := range rules {
		byRef[r.ID] = r
		if r.Name != "" {
			byRef[r.Name] = r
		}
	}
	for _, r := range rules {
		if r.Correlation == nil {
			continue
		}
		k, err := newCorrelation(r, byRef, len(c.corrs))
		if err != nil {
			return nil, err
		}
		c.corrs = append(c.corrs, k)
		for i, ref := range k.refs {
			c.byRule[ref.ID] = append(c.byRule[ref.ID], link{corr: k, ref: i})
			c.generates[ref.ID] = c.generates[ref.ID] || r.Correlation.Generate
		}
	}
	return c, nil
}

// Generates reports whether matches of a detection rule should be reported
// on their own: false when every correlation referencing it has
// generate: false (the Sigma default), true for unreferenced rules.
func (c *Correlator) Generates(ruleID string) bool {
	g, referenced := c.generates[ruleID]
	return g || !referenced
}

// Observe feeds a match of the detection rule with id ruleID on ev, which
// happened at eventTime, and returns the alerts it completes, including
// windows that the advancing watermark closes.
func (c *Correlator) Observe(ruleID string, ev Event, eventTime time.Time) []Alert {
	out := c.Advance(eventTime)
	links := c.byRule[ruleID]
	if len(links) == 0 {
		return out
	}
	for _, l := range links {
		out = l.corr.observe(c, l.ref, ev, eventTime.UnixNano(), out)
	}
	// An event older than the watermark may close its own window at once.
	return c.expire(out)
}

// Advance moves event time forward without a match, so that absence and
// upper-bounded windows close on time in quiet streams. Feeding every
// event's time through Observe or Advance is enough.
func (c *Correlator) Advance(eventTime time.Time) []Alert {
	c.watermark = max(c.watermark, eventTime.UnixNano()-c.lateness)
	return c.expire(nil)
}

// Flush closes every window, as at the end of the stream, returns the
// remaining alerts and resets the Correlator.
func (c *Correlator) Flush() []Alert {
	c.watermark = math.MaxInt64
	out := c.expire(nil)
	c.watermark = math.MinInt64
	return out
}

// expire handles group deadlines up to the watermark, in (deadline,
// correlation, group) order so that output is deterministic.
func (c *Correlator) expire(out []Alert) []Alert {
	for len(c.deadlines) > 0 && c.deadlines[0].at <= c.watermark {
		d := heap.Pop(&c.deadlines).(deadline)
		k := c.corrs[d.corr]
		g := k.groups[d.key]
		if g == nil || g.deadline != d.at {
			continue // superseded
		}
		out = k.expire(g, c.watermark, out)
		c.schedule(k, g)
	}
	return out
}

// schedule records g's next deadline, or drops g when it holds no state.
func (c *Correlator) schedule(k *correlation, g *group) {
	at, ok := k.nextDeadline(g)
	if !ok {
		delete(k.groups, g.key)
		return
	}
	if at != g.deadline || !g.scheduled {
		g.deadline, g.scheduled = at, true
		heap.Push(&c.deadlines, deadline{at: at, corr: k.order, key: g.key})
	}
}

type deadline struct {
	at   int64
	corr int
	key  string
}

type deadlineHeap []deadline

func (h deadlineHeap) Len() int { return len(h) }
func (h deadlineHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.corr != b.corr {
		return a.corr < b.corr
	}
	return a.key < b.key
}
func (h deadlineHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *deadlineHeap) Push(x any)   { *h = append(*h, x.(deadline)) }
func (h *deadlineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// correlation is a compiled correlation rule.
type correlation struct {
	rule  *Rule
	typ   CorrelationType
	cond  CountCondition
	span  int64
	order int
	// refs are the referenced rules; for absence, the opening rules come
	// first and the closing ones (Correlation.Absent) after nOpen.
	refs  []*Rule
	nOpen int
	// groupPaths[ref][i] is the path of group-by field i in rule ref, aliases
	// resolved; valuePaths[ref] the counted field of value_count.
	groupPaths [][][]string
	valuePaths [][]string
	groups     map[string]*group
	seenValues map[string]bool // scratch for value_count
	seenRules  []bool          // scratch for temporal
}

func newCorrelation(r *Rule, byRef map[string]*Rule, order int) (*correlation, error) {
	cr := r.Correlation
	k := &correlation{
		rule: r, typ: cr.Type, cond: cr.Condition, span: int64(cr.Timespan), order: order,
		nOpen: len(cr.Rules), groups: map[string]*group{}, seenValues: map[string]bool{},
	}
	l := linker{corr: r, byRef: byRef}
	for _, ref := range slices.Concat(cr.Rules, cr.Absent) {
		target, err := l.rule(ref)
		if err != nil {
			return nil, err
		}
		k.refs = append(k.refs, target)
	}
	k.seenRules = make([]bool, len(k.refs))
	for _, target := range k.refs {
		var paths [][]string
		for _, g := range cr.GroupBy {
			p, err := l.field(g, target)
			if err != nil {
				return nil, err
			}
			paths = append(paths, p)
		}
		k.groupPaths = append(k.groupPaths, paths)
		var vp []string
		if cr.Type == ValueCount {
			var err error
			if vp, err = l.field(cr.Condition.Field, target); err != nil {
				return nil, err
			}
		}
		k.valuePaths = append(k.valuePaths, vp)
	}
	return k, nil
}

// linker resolves the references of a correlation rule.
type linker struct {
	corr  *Rule
	byRef map[string]*Rule // detection and correlation rules by id and name
}

func (l linker) errorf(format string, args ...any) error {
	return &Error{File: l.corr.File, Line: l.corr.Line, Msg: "correlation " + l.corr.ID + ": " + fmt.Sprintf(format, args...)}
}

func (l linker) rule(ref string) (*Rule, error) {
	target, ok := l.byRef[ref]
	switch {
	case !ok:
		return nil, l.errorf("unknown rule %q", ref)
	case target.Correlation != nil:
		return nil, l.errorf("rule %q is a correlation: chaining is not supported", ref)
	}
	return target, nil
}

// field returns the path of a group-by or counted field in target, through
// the aliases.
func (l linker) field(name string, target *Rule) ([]string, error) {
	alias, ok := l.corr.Correlation.Aliases[name]
	if !ok {
		return strings.Split(name, "."), nil
	}
	for _, ref := range slices.Sorted(maps.Keys(alias)) {
		r, err := l.rule(ref)
		if err != nil {
			return nil, err
		}
		if r == target {
			return strings.Split(alias[ref], "."), nil
		}
	}
	return nil, l.errorf("alias %q has no field for rule %q", name, target.ID)
}

// firstText returns the text of the first non-null value at path.
func firstText(ev Event, path []string) (string, bool) {
	v, n := ev.Lookup(path)
	if n == 0 {
		return "", false
	}
	var text string
	found := walk(v, path[n:], func(v any) bool {
		if isNull(v) {
			return false
		}
		var ok bool
		if text, ok = scalarText(v); !ok {
			text = jsonText(v)
		}
		return true
	})
	return text, found
}
