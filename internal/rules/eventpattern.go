package rules

import (
	"encoding/json"
	"strings"

	"github.com/secure-baseline/baseline/internal/sigma"
)

// detailTypes maps CloudTrail eventType values to EventBridge detail types.
var detailTypes = map[string]string{
	"AwsApiCall":       "AWS API Call via CloudTrail",
	"AwsConsoleAction": "AWS Console Action via CloudTrail",
	"AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
	"AwsServiceEvent":  "AWS Service Event via CloudTrail",
}

// EventPattern returns the EventBridge event pattern equivalent to a
// built-in detection rule whose condition is a single selection of fields
// compared to plain values (or, with startswith and endswith, prefixes and
// suffixes; null and exists become exists tests). The pattern matches
// CloudTrail events delivered to EventBridge: "source" is derived from
// eventSource, "detail-type" from eventType, or from the sign-in service.
// Values are matched as written, which is how CloudTrail spells them, where
// Sigma ignores case. Read-only calls (BatchGetSecretValue, for one) only
// reach rules in the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state.
// ok is false for correlations, user rules and anything else EventBridge
// cannot express (several selections, not, contains, re, wildcards,
// comparisons).
func EventPattern(rule *sigma.Rule) (pattern string, ok bool) {
	p, err := builtin()
	if err != nil || rule == nil || p.byID[rule.ID] != rule || rule.Correlation != nil || len(rule.Condition) != 1 {
		return "", false
	}
	sel, ok := p.detections[rule.ID][strings.TrimSpace(rule.Condition[0])].(map[string]any)
	if !ok {
		return "", false
	}
	detail := map[string]any{}
	for key, value := range sel {
		field, modifier, _ := strings.Cut(key, "|")
		matchers, ok := eventMatchers(modifier, value)
		if !ok || !setPath(detail, strings.Split(field, "."), matchers) {
			return "", false
		}
	}
	out := map[string]any{"detail": detail}
	if sources, ok := plainStrings(detail["eventSource"]); ok {
		for i, s := range sources {
			sources[i] = "aws." + strings.TrimSuffix(s, ".amazonaws.com")
		}
		out["source"] = sources
	}
	switch types, ok := plainStrings(detail["eventType"]); {
	case ok:
		for i, t := range types {
			if types[i], ok = detailTypes[t]; !ok {
				return "", false
			}
		}
		out["detail-type"] = types
	case isOnly(detail["eventSource"], "signin.amazonaws.com"):
		out["detail-type"] = []string{detailTypes["AwsConsoleSignIn"]}
	default:
		out["detail-type"] = []string{detailTypes["AwsApiCall"]}
	}
	b, err := json.Marshal(out) // map keys come out sorted: the pattern is stable
	if err != nil {
		return "", false
	}
	return string(b), true
}

// eventMatchers translates a Sigma value (or list of values, an OR) under a
// modifier into EventBridge matchers.
func eventMatchers(modifier string, value any) ([]any, bool) {
	values, isList := value.([]any)
	if !isList {
		values = []any{value}
	}
	var out []any
	for _, v := range values {
		m, ok := eventMatcher(modifier, v)
		if !ok {
			return nil, false
		}
		out = append(out, m)
	}
	return out, len(out) > 0
}

func eventMatcher(modifier string, v any) (any, bool) {
	s, isString := v.(string)
	switch {
	case modifier == "exists":
		b, ok := v.(bool)
		return map[string]any{"exists": b}, ok
	case modifier == "startswith" && isString && !hasWildcard(s):
		return map[string]any{"prefix": unescape(s)}, true
	case modifier == "endswith" && isString && !hasWildcard(s):
		return map[string]any{"suffix": unescape(s)}, true
	case modifier != "":
		return nil, false
	case v == nil:
		return map[string]any{"exists": false}, true
	case s == "*":
		return map[string]any{"exists": true}, true
	case isString:
		return unescape(s), !hasWildcard(s)
	}
	switch v.(type) {
	case bool, int, int64, uint64, float64:
		return v, true
	}
	return nil, false
}

// hasWildcard reports whether a Sigma string holds an unescaped * or ?.
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '*', '?':
			return true
		}
	}
	return false
}

// unescape resolves Sigma's \*, \? and \\ escapes.
func unescape(s string) string {
	return strings.NewReplacer(`\*`, `*`, `\?`, `?`, `\\`, `\`).Replace(s)
}

// setPath stores v at the dotted path in m, failing when the path crosses a
// value already set.
func setPath(m map[string]any, path []string, v any) bool {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k]
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		if m, ok = next.(map[string]any); !ok {
			return false
		}
	}
	last := path[len(path)-1]
	if _, taken := m[last]; taken {
		return false
	}
	m[last] = v
	return true
}

// plainStrings returns matchers that are all plain strings.
func plainStrings(matchers any) ([]string, bool) {
	list, _ := matchers.([]any)
	var out []string
	for _, m := range list {
		s, ok := m.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, len(out) > 0
}

// isOnly reports whether matchers are exactly the one plain string s.
func isOnly(matchers any, s string) bool {
	list, ok := plainStrings(matchers)
	return ok && len(list) == 1 && list[0] == s
}
