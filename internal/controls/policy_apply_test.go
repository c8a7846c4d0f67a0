package controls

import (
	"slices"
	"testing"
)

// Apply owns its statements by Sid: merged into a policy, each replaces the
// statement of its Sid and keeps everyone else's, IAM's lone statement
// object included.
func TestWithStatementsReplacesItsOwn(t *testing.T) {
	st := iamStatement{Sid: "baseline", Effect: "Allow", Principal: "*", Action: "events:PutEvents", Resource: "arn:bus",
		Condition: iamCondition{"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}
	theirs := `{"Version":"2012-10-17","Statement":{"Sid":"theirs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"events:PutEvents","Resource":"arn:bus"}}`
	if hasStatement(theirs, st) {
		t.Fatal("found a statement that is not there")
	}
	p, err := withStatements(theirs, st)
	if err != nil || !hasStatement(p, st) {
		t.Fatalf("%s, %v", p, err)
	}
	st.Condition["StringEquals"]["aws:PrincipalOrgID"] = "o-2"
	if hasStatement(p, st) {
		t.Fatal("a changed statement counts as present")
	}
	tls := tlsOnlyStatement("us-east-1", "b")
	p, _ = withStatements(p, st, tls)
	_, stmts, _ := policyStatements(p)
	var sids []string
	for _, v := range stmts {
		sids = append(sids, sidOf(v))
	}
	if !slices.Equal(sids, []string{"theirs", "baseline", "DenyInsecureTransport"}) || !hasStatement(p, st) || !hasStatement(p, tls) {
		t.Fatalf("policy %s", p)
	}
	if again, _ := withStatements(p, st, tls); again != p {
		t.Fatalf("merging again changed the policy:\n%s\n%s", p, again)
	}
}
