// Package policy reads AWS policy documents. Identity policies, role trust
// policies and resource policies (bucket, key, topic, queue, function and
// secret policies) share one grammar, read here once.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Statement is one statement of a policy document.
type Statement struct {
	Effect       string     `json:"Effect"`
	Principal    *Principal `json:"Principal"`
	NotPrincipal *Principal `json:"NotPrincipal"`
	Action       List       `json:"Action"`
	// Condition maps an operator (StringEquals, ForAnyValue:StringLike...)
	// to condition keys and their values.
	Condition map[string]map[string]List `json:"Condition"`
}

// Allows reports whether the statement grants rather than denies.
func (s *Statement) Allows() bool { return strings.EqualFold(s.Effect, "Allow") }

// Principal is "*" (anyone) or a map of principal type (AWS, Service,
// Federated, CanonicalUser) to values.
type Principal struct {
	Any    bool
	ByType map[string]List
}

func (p *Principal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if s != "*" {
			return fmt.Errorf("principal %q is neither \"*\" nor an object", s)
		}
		p.Any = true
		return nil
	}
	return json.Unmarshal(b, &p.ByType)
}

// List is a string or a list of strings. Condition values may also be
// booleans or numbers, which are kept in their JSON spelling.
type List []string

func (l *List) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	items, ok := raw.([]any)
	if !ok {
		items = []any{raw}
	}
	out := make(List, 0, len(items))
	for _, x := range items {
		switch x := x.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		default:
			return fmt.Errorf("%v is not a string, boolean or number", x)
		}
	}
	*l = out
	return nil
}

// statements accepts the single statement object IAM allows in place of a list.
type statements []Statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		b = append(append([]byte{'['}, b...), ']')
	}
	return json.Unmarshal(b, (*[]Statement)(s))
}

// Parse reads the statements of a policy document.
func Parse(doc string) ([]Statement, error) {
	var d struct{ Statement statements }
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	return d.Statement, nil
}

var accountIDRe = regexp.MustCompile(`^\d{12}$`)

// Account returns the account a principal or resource names ("123456789012",
// "arn:aws:iam::123456789012:root", a role, user or SAML provider ARN), or
// "" when it names none (a service, "*", a unique id, an S3 ARN).
func Account(v string) string {
	if accountIDRe.MatchString(v) {
		return v
	}
	if parts := strings.SplitN(v, ":", 6); len(parts) == 6 && parts[0] == "arn" && accountIDRe.MatchString(parts[4]) {
		return parts[4]
	}
	return ""
}
