package controls

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	json "github.com/goccy/go-json"
)

// iamStatement is one statement of a policy apply writes: a role's trust or
// inline policy, a key policy, an SCP, or the resource policy of a bucket,
// topic, queue or event bus. In a resource policy apply owns the statements
// of its Sids and keeps everyone else's (withStatements). Principal,
// Action, Resource and condition values are a string or a list, as IAM
// takes them.
type iamStatement struct {
	Sid       string       `json:"Sid,omitempty"`
	Effect    string       `json:"Effect"`
	Principal any          `json:"Principal,omitempty"`
	Action    any          `json:"Action,omitempty"`
	NotAction any          `json:"NotAction,omitempty"`
	Resource  any          `json:"Resource,omitempty"`
	Condition iamCondition `json:"Condition,omitempty"`
}

// iamCondition maps a condition operator to its keys and their values.
type iamCondition map[string]map[string]any

// servicePrincipal is the principal of an AWS service ("config.amazonaws.com").
func servicePrincipal(service string) map[string]string { return map[string]string{"Service": service} }

// iamDocument is the policy document of the statements.
func iamDocument(sts ...iamStatement) string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": sts})
	if err != nil {
		panic(err) // strings, maps and slices always marshal
	}
	return string(b)
}

// policyStatements decodes a policy ("" for none) and its statements, which
// a policy may give as one object.
func policyStatements(policy string) (doc map[string]any, stmts []any, err error) {
	doc = map[string]any{"Version": "2012-10-17"}
	if strings.TrimSpace(policy) != "" {
		if err := json.Unmarshal([]byte(policy), &doc); err != nil {
			return nil, nil, fmt.Errorf("resource policy is not valid JSON: %w", err)
		}
	}
	switch st := doc["Statement"].(type) {
	case []any:
		stmts = st
	case map[string]any:
		stmts = []any{st}
	}
	return doc, stmts, nil
}

// normalized is st as decoded JSON, to compare with a policy's statements.
func (st iamStatement) normalized() any {
	b, _ := json.Marshal(st)
	var v any
	_ = json.Unmarshal(b, &v)
	return v
}

func sidOf(v any) string {
	m, _ := v.(map[string]any)
	sid, _ := m["Sid"].(string)
	return sid
}

// hasStatement reports whether the policy holds st as apply writes it.
func hasStatement(policy string, st iamStatement) bool {
	_, stmts, err := policyStatements(policy)
	if err != nil {
		return false
	}
	want := st.normalized()
	return slices.ContainsFunc(stmts, func(v any) bool { return sidOf(v) == st.Sid && reflect.DeepEqual(v, want) })
}

// withStatements returns the policy with own's statements, each of which
// has a Sid, in place of those of the same Sid, or added; the other
// statements and the rest of the document are kept as they are.
func withStatements(policy string, own ...iamStatement) (string, error) {
	doc, stmts, err := policyStatements(policy)
	if err != nil {
		return "", err
	}
	stmts = slices.DeleteFunc(stmts, func(v any) bool {
		return slices.ContainsFunc(own, func(st iamStatement) bool { return st.Sid == sidOf(v) })
	})
	for _, st := range own {
		stmts = append(stmts, st.normalized())
	}
	doc["Statement"] = stmts
	b, err := json.Marshal(doc)
	return string(b), err
}
