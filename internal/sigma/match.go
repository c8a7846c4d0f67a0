package sigma

import (
	"strings"
	"sync"
	"unique"
)

// expr is a compiled detection condition.
type expr interface {
	eval(c *evalCtx) bool
}

// memoSize bounds the distinct fields memoized per event; rule sets rarely
// read more than a dozen.
const memoSize = 32

// evalCtx is the state of one evaluation. In RuleSet.Match it memoizes field
// lookups, which rules share heavily (eventName, userIdentity.arn, ...), so
// each is resolved once per event.
type evalCtx struct {
	ev   Event
	memo bool
	n    int
	keys [memoSize]unique.Handle[string] // pointer-sized: comparing is cheap
	vals [memoSize]any
	ns   [memoSize]int
}

// ctxPool recycles contexts: they escape through interface calls, and
// allocating one per event would dominate matching.
var ctxPool = sync.Pool{New: func() any { return new(evalCtx) }}

func newCtx(ev Event, memo bool) *evalCtx {
	c := ctxPool.Get().(*evalCtx)
	c.ev, c.memo = ev, memo
	return c
}

func (c *evalCtx) release() {
	clear(c.vals[:c.n]) // do not pin event data in the pool
	c.ev, c.n = nil, 0
	ctxPool.Put(c)
}

// lookup is Event.Lookup, memoized by field name.
func (c *evalCtx) lookup(key unique.Handle[string], path []string) (any, int) {
	if c.memo {
		for i := range c.n {
			if c.keys[i] == key {
				return c.vals[i], c.ns[i]
			}
		}
	}
	v, n := c.ev.Lookup(path)
	if c.memo && c.n < memoSize {
		c.keys[c.n], c.vals[c.n], c.ns[c.n] = key, v, n
		c.n++
	}
	return v, n
}

// fieldPath is a field name prepared for lookups.
type fieldPath struct {
	name string
	key  unique.Handle[string]
	path []string // name split at dots, once, at compile time
}

func newFieldPath(name string) fieldPath {
	return fieldPath{name: name, key: unique.Make(name), path: strings.Split(name, ".")}
}

type andExpr []expr

func (a andExpr) eval(c *evalCtx) bool {
	for _, e := range a {
		if !e.eval(c) {
			return false
		}
	}
	return true
}

type orExpr []expr

func (o orExpr) eval(c *evalCtx) bool {
	for _, e := range o {
		if e.eval(c) {
			return true
		}
	}
	return false
}

type notExpr struct{ e expr }

func (n notExpr) eval(c *evalCtx) bool { return !n.e.eval(c) }

// fieldTest is one "field|modifiers: values" entry of a selection.
type fieldTest struct {
	fieldPath
	null bool // an absent field or JSON null satisfies the test
	// exists: any present non-null value satisfies the test.
	exists bool
	preds  []predicate
	all    bool // every predicate must hold (the all modifier); otherwise any
}

func (t *fieldTest) eval(c *evalCtx) bool {
	if t.all {
		for i := range t.preds {
			one := t.preds[i : i+1]
			if !resolve(c, &t.fieldPath, func(v any) bool { return !isNull(v) && matchAny(c, one, v) }) {
				return false
			}
		}
		return true
	}
	v, n := c.lookup(t.key, t.path)
	if n == len(t.path) {
		return t.accepts(c, v) // fast path: nothing left to walk
	}
	if n == 0 {
		return t.null
	}
	return walk(v, t.path[n:], func(v any) bool { return t.accepts(c, v) })
}

func (t *fieldTest) accepts(c *evalCtx, v any) bool {
	if isNull(v) {
		return t.null
	}
	return t.exists || matchAny(c, t.preds, v)
}

func (t *fieldTest) cost() int {
	c := 1
	for _, p := range t.preds {
		c = max(c, p.cost())
	}
	return c
}

// keywordTest is a keyword (full-text) search over the event's JSON text.
type keywordTest struct {
	preds []predicate
	all   bool
}

// cost is high: a keyword search scans the whole event.
func (k *keywordTest) cost() int { return 10 }

func (k *keywordTest) eval(c *evalCtx) bool {
	raw := c.ev.JSON()
	if raw == nil {
		return false
	}
	text := string(raw)
	for _, p := range k.preds {
		ok := p.match(c, text)
		if ok && !k.all {
			return true
		}
		if !ok && k.all {
			return false
		}
	}
	return k.all
}

// absentValue stands for a missing field in resolve callbacks, as opposed to a
// JSON null (nil).
type absentValue struct{}

func isNull(v any) bool {
	switch v.(type) {
	case nil, absentValue:
		return true
	}
	return false
}

// resolve calls fn for every value reachable through path, stopping at the
// first true: arrays met before the end of the path fan out to each element,
// and every dead end is reported once as absentValue{}. It returns whether fn
// returned true.
func resolve(c *evalCtx, f *fieldPath, fn func(any) bool) bool {
	v, n := c.lookup(f.key, f.path)
	if n == 0 {
		return fn(absentValue{})
	}
	return walk(v, f.path[n:], fn)
}

func walk(v any, rest []string, fn func(any) bool) bool {
	for ; len(rest) > 0; rest = rest[1:] {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[rest[0]]; !ok {
				return fn(absentValue{})
			}
		case []any:
			if len(x) == 0 {
				return fn(absentValue{})
			}
			for _, e := range x {
				if walk(e, rest, fn) {
					return true
				}
			}
			return false
		default:
			return fn(absentValue{})
		}
	}
	return fn(v)
}

// matchAny reports whether some predicate accepts v. An object or array is
// accepted when a predicate accepts any value nested in it or, failing that,
// its JSON text; empty ones hold no value.
func matchAny(c *evalCtx, preds []predicate, v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return false
		}
	case []any:
		if len(x) == 0 {
			return false
		}
	default:
		for _, p := range preds {
			if p.match(c, v) {
				return true
			}
		}
		return false
	}
	if matchNested(c, preds, v) {
		return true
	}
	text := jsonText(v)
	for _, p := range preds {
		if p.match(c, text) {
			return true
		}
	}
	return false
}

func matchNested(c *evalCtx, preds []predicate, v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, m := range x {
			if matchNested(c, preds, m) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if matchNested(c, preds, e) {
				return true
			}
		}
	case nil:
	default:
		for _, p := range preds {
			if p.match(c, v) {
				return true
			}
		}
	}
	return false
}
