// Package sigma is a Sigma rule engine for AWS CloudTrail: it parses Sigma
// rules (specification v2, detection and correlation rules), compiles their
// detections to matchers, evaluates many rules at once with a prefilter, and
// runs correlations over event time.
//
// # Loading
//
// ParseRules, LoadDir and LoadFiles read YAML files that may hold several
// "---" separated rules. Each document is parsed on its own: a bad rule
// yields an *Error naming file, line and column, and never stops the others.
// Rule ids and optional names must be unique; they share one namespace, as
// correlations reference rules by either. Unknown modifiers, bad
// regular expressions, unknown identifiers in conditions and the like are
// errors at load time.
//
// # Matching semantics
//
// Field names are dotted paths into nested objects ("userIdentity.arn");
// arrays met on the way fan out, and a test holds if it holds for any
// element. Field names are case-sensitive, values are not:
//
//   - Strings compare case-insensitively (ASCII folding for ASCII
//     patterns, unicode.ToLower rune folding otherwise) unless the cased
//     modifier is used. Booleans compare as "true"/"false"; a pattern that is
//     a number equals a JSON number of the same value, and numbers otherwise
//     compare in their shortest decimal form. So MFAUsed: 'no' matches "No",
//     and publiclyAccessible: 'true' matches the JSON boolean true.
//   - null matches an absent field or a JSON null.
//   - A list of values is an OR; with the all modifier, an AND.
//   - A map (selection) is the AND of its entries; a list of maps is an OR.
//   - "*" matches any sequence and "?" any one character. "\*", "\?" and
//     "\\" are literal; any other backslash is literal too (spec v2). A lone
//     "*" matches any present, non-null value.
//   - A value that is an object or a non-empty array matches a pattern when
//     any value nested in it does or, failing that, its compact JSON text
//     (keys sorted, no HTML escaping) does: requestParameters|contains:
//     'Suspended' searches the whole requestParameters object, including
//     JSON documents embedded in its strings. Empty objects and arrays hold
//     no value: only null checks see them (as present).
//   - Keyword searches (a search identifier holding plain values, or a
//     "|modifier" key without field name) look for each value anywhere in
//     the event's JSON text, as contains would.
//
// Modifiers: contains, startswith, endswith, all, cased, exists, re (Go RE2
// syntax, unanchored, with the i, m and s sub-modifiers, e.g. re|i), cidr,
// fieldref (the value names another field of the same event; combinable
// with contains/startswith/endswith), gt, gte, lt, lte, and the encoders
// base64, base64offset, wide/utf16le, utf16be, utf16 and windash (every '-'
// replaced by each of - / – — ―). Encoders reject values with wildcards.
//
// Conditions support and, or, not, parentheses and "1 of", "any of", "all
// of" over identifier patterns ("selection_*") or them; not binds tighter
// than and, which binds tighter than or. "them" skips identifiers starting
// with "_". Aggregations ("| count()") and timeframe are rejected: use
// correlation rules.
//
// # Events
//
// The engine reads events through the two-method Event interface. MapEvent
// adapts a map[string]any decoded from JSON (encoding/json or
// goccy/go-json, float64 or json.Number numbers); a reader that keeps each
// record's raw bytes should set MapEvent.Raw so keyword searches need not
// re-encode. A reader with its own record type implements Lookup by
// resolving at least the first path element ("eventName", "userIdentity")
// and returning JSON-shaped values; the engine walks the rest of the path.
// Field paths are split once at compile time, a RuleSet resolves each field
// once per event, and matching does not allocate (except to render objects
// as JSON text for rules that search them).
//
// # Rule sets
//
// A RuleSet indexes each rule by the first of its index fields (by default
// eventName, then eventSource) that its condition pins to a finite set of
// exact values; an event then only runs the rules indexed under its values
// plus the rules that pin nothing.
//
// # Correlations
//
// A Correlator implements the Sigma v2 correlation types event_count,
// value_count, temporal and temporal_ordered, with group-by, aliases,
// timespan (s, m, h, d, w), conditions gt/gte/lt/lte/eq (combinable into a
// range) and generate. Events lacking a group-by field (or the counted
// field) are ignored by that correlation.
//
// Windows slide over event time and are half-open: a window starting at an
// event at time s covers [s, s+timespan). Conditions without an upper bound
// fire as soon as a window reaches them, after which the group starts
// afresh. Conditions with an upper bound (lt, lte, eq) are decided when a
// window closes: windows start at the oldest pending event of the group,
// and one that fires consumes its events.
//
// Events may arrive out of order by up to the lateness (DefaultLateness,
// WithLateness). The watermark is the newest event time seen minus the
// lateness; a window closes when the watermark passes its end, and state
// that no open window can use is dropped then, which bounds memory to about
// timespan+lateness worth of matches. Events older than the watermark are
// still counted, best effort. Output is deterministic for a given input
// order. Chained correlations (referencing correlation rules) are not
// supported.
//
// # Extension: absence correlations
//
// Sigma v2 cannot say "A not followed by B". This package adds
//
//	correlation:
//	  type: absence
//	  rules: [aws_vpc_flow_logs_deleted]  # events that open a window
//	  absent: [aws_vpc_deleted]           # events that close it quietly
//	  group-by: [recipientAccountId]
//	  timespan: 30m
//
// A match of a rules entry opens a window [t, t+timespan) for its group
// unless one is open (then it only increments Count). A match of an absent
// entry inside the window cancels it. A window still open when the
// watermark passes its end, or at Flush, yields an Alert. absence takes no
// condition.
package sigma
