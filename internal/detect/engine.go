package detect

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/secure-baseline/baseline/internal/sigma"
)

// Options configure an Engine.
type Options struct {
	// MinLevel drops the detections of rules below this level; their
	// matches still feed correlations. Empty reports every level.
	MinLevel string
	// Lateness is how far behind the newest event time of its partition an
	// event may arrive and still be correlated exactly; default
	// sigma.DefaultLateness, which covers CloudTrail's delivery delays when
	// batches are committed in file order.
	Lateness time.Duration
	// Emit receives every detection, one call at a time, in commit order.
	// Required.
	Emit func(Detection)
}

// Engine runs a rule set over CloudTrail records: detection rules on each
// record, correlation rules over event time. See the package documentation
// for the flow and its ordering guarantee. An Engine is safe for concurrent
// use; Commit and Flush are serialised.
type Engine struct {
	opts    Options
	set     *sigma.RuleSet
	info    map[*sigma.Rule]*ruleInfo
	corrs   []*sigma.Rule // correlation rules, for each partition's Correlator
	minRank int

	batches sync.Pool
	mu      sync.Mutex // guards parts and the calls to Emit
	parts   map[partKey]*partition
}

// ruleInfo is what the engine does with a detection rule's matches.
type ruleInfo struct {
	report     bool // reported on its own: it generates and its level is high enough
	correlated bool // referenced by a correlation
	opens      []opening
}

// opening is a correlation whose windows a rule's matches open: their
// first event stands for the window in the correlation's detection.
type opening struct {
	corr  *sigma.Rule
	paths [][]string // group-by fields, aliases resolved
}

// New compiles rules, detection and correlation rules together as
// rules.Load returns them.
func New(rules []*sigma.Rule, opts Options) (*Engine, error) {
	if opts.Emit == nil {
		return nil, errors.New("detect: no Emit function")
	}
	if opts.MinLevel != "" {
		if err := checkLevel(opts.MinLevel); err != nil {
			return nil, err
		}
	}
	if opts.Lateness <= 0 {
		opts.Lateness = sigma.DefaultLateness
	}
	set, err := sigma.NewRuleSet(rules)
	if err != nil {
		return nil, err
	}
	proto, err := sigma.NewCorrelator(rules)
	if err != nil {
		return nil, err
	}
	e := &Engine{opts: opts, set: set, info: map[*sigma.Rule]*ruleInfo{}, minRank: levelRank(opts.MinLevel), parts: map[partKey]*partition{}}
	byRef := map[string]*sigma.Rule{}
	for _, r := range rules {
		byRef[r.ID] = r
		if r.Name != "" {
			byRef[r.Name] = r
		}
	}
	for _, r := range set.Rules() {
		e.info[r] = &ruleInfo{report: proto.Generates(r.ID) && e.reported(r)}
	}
	for _, c := range rules {
		cr := c.Correlation
		if cr == nil {
			continue
		}
		e.corrs = append(e.corrs, c)
		for _, ref := range slices.Concat(cr.Rules, cr.Absent) {
			e.info[byRef[ref]].correlated = true
		}
		for _, ref := range cr.Rules { // absence: only the rules that open a window
			target := byRef[ref]
			paths, err := groupPaths(c, target, byRef)
			if err != nil {
				return nil, err
			}
			e.info[target].opens = append(e.info[target].opens, opening{corr: c, paths: paths})
		}
	}
	e.batches.New = func() any { return &Batch{e: e} }
	return e, nil
}

// groupPaths returns the group-by fields of correlation c in the events of
// target, through the correlation's aliases, as the Correlator reads them.
func groupPaths(c, target *sigma.Rule, byRef map[string]*sigma.Rule) ([][]string, error) {
	var out [][]string
	for _, g := range c.Correlation.GroupBy {
		field, ok := g, true
		if alias, isAlias := c.Correlation.Aliases[g]; isAlias {
			ok = false
			for _, ref := range slices.Sorted(maps.Keys(alias)) {
				if byRef[ref] == target {
					field, ok = alias[ref], true
					break
				}
			}
		}
		if !ok {
			return nil, fmt.Errorf("detect: correlation %s: alias %q has no field for rule %s", c.ID, g, target.ID)
		}
		out = append(out, strings.Split(field, "."))
	}
	return out, nil
}

func (e *Engine) reported(r *sigma.Rule) bool { return levelRank(r.Level) >= e.minRank }

// Commit runs the correlations over the hits of b, in event-time order
// within the batch, emits the detections and recycles b, which must not be
// used afterwards. Batches must be committed in event-time order per
// partition, give or take the lateness: in file order for CloudTrail's
// layout.
func (e *Engine) Commit(b *Batch) {
	e.mu.Lock()
	defer e.mu.Unlock()
	// A batch wholly older than its partition's watermark starts a new
	// stream (files of several periods given out of order): what is open is
	// closed first, rather than counting the batch late.
	for _, pt := range b.parts {
		if p := e.parts[pt.key]; p != nil && !p.newest.IsZero() && pt.newest.Before(p.newest.Add(-e.opts.Lateness)) {
			e.flushPartition(p)
		}
	}
	slices.SortStableFunc(b.hits, func(x, y hit) int { return x.ev.rec.EventTime.Compare(y.ev.rec.EventTime) })
	for _, h := range b.hits {
		rec := h.ev.rec
		p := e.partition(partKey(rec.AccountID))
		for _, r := range b.rules[h.from:h.to] {
			in := e.info[r]
			if in.report {
				d := eventFields(rec)
				d.setRule(r)
				e.opts.Emit(d)
			}
			if in.correlated {
				p.noteOpening(in.opens, h.ev)
				e.emitAlerts(p, p.corr.Observe(r.ID, h.ev, rec.EventTime))
			}
		}
	}
	for _, pt := range b.parts {
		p := e.partition(pt.key)
		if pt.newest.After(p.newest) {
			p.newest = pt.newest
		}
		e.emitAlerts(p, p.corr.Advance(pt.newest))
		p.prune(e.opts.Lateness)
	}
	b.reset()
	e.batches.Put(b)
}

// Flush closes every correlation window, as at the end of the input, and
// emits what they detect. The engine can take more batches afterwards, as a
// new stream.
func (e *Engine) Flush() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(e.parts)) {
		e.flushPartition(e.parts[k])
	}
}

func (e *Engine) flushPartition(p *partition) {
	e.emitAlerts(p, p.corr.Flush())
	clear(p.openings)
	p.newest = time.Time{}
}

func (e *Engine) partition(key partKey) *partition {
	p := e.parts[key]
	if p == nil {
		// The rules were checked by New: this cannot fail.
		corr, err := sigma.NewCorrelator(e.corrRules(), sigma.WithLateness(e.opts.Lateness))
		if err != nil {
			panic("detect: " + err.Error())
		}
		p = &partition{key: key, corr: corr, openings: map[string]opened{}, pruneAt: minPrune}
		e.parts[key] = p
	}
	return p
}

// corrRules returns the correlation rules with the detection rules they
// reference, what a Correlator needs.
func (e *Engine) corrRules() []*sigma.Rule {
	return append(slices.Clone(e.set.Rules()), e.corrs...)
}

func (e *Engine) emitAlerts(p *partition, alerts []sigma.Alert) {
	for _, a := range alerts {
		d, ok := p.takeOpening(a)
		if !ok {
			d = p.alertFields(a)
		}
		if !e.reported(a.Rule) {
			continue
		}
		d.setRule(a.Rule)
		d.Count = a.Count
		e.opts.Emit(d)
	}
}
