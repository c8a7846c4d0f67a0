package policy

import (
	"slices"
	"testing"
)

func TestParseForms(t *testing.T) {
	// One statement object in place of a list, strings in place of lists,
	// and condition values of every JSON type.
	sts, err := Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root","Service":["a.amazonaws.com","b.amazonaws.com"]},
		"Action":"s3:GetObject","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10},"StringEquals":{"aws:PrincipalOrgID":["o-1","o-2"]}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 1 || !sts[0].Allows() {
		t.Fatalf("statements %+v", sts)
	}
	st := sts[0]
	if p := st.Principal; p.Any || !slices.Equal(p.ByType["AWS"], List{"arn:aws:iam::999999999999:root"}) || len(p.ByType["Service"]) != 2 {
		t.Errorf("principal %+v", p)
	}
	if !slices.Equal(st.Action, List{"s3:GetObject"}) || st.Condition["Bool"]["aws:SecureTransport"][0] != "false" ||
		st.Condition["NumericLessThan"]["s3:max-keys"][0] != "10" || len(st.Condition["StringEquals"]["aws:PrincipalOrgID"]) != 2 {
		t.Errorf("statement %+v", st)
	}

	sts, err = Parse(`{"Statement":[{"Effect":"Deny","Principal":"*","Action":["*"]},{"Effect":"Allow","NotPrincipal":{"AWS":"123456789012"}}]}`)
	if err != nil || len(sts) != 2 || sts[0].Allows() || !sts[0].Principal.Any || sts[1].NotPrincipal == nil {
		t.Fatalf("statements %+v, %v", sts, err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, doc := range []string{
		`{"Statement":`,
		`{"Statement":[{"Effect":"Allow","Principal":"123456789012"}]}`, // only "*" may be a string
		`{"Statement":[{"Effect":"Allow","Action":{"a":1}}]}`,
	} {
		if _, err := Parse(doc); err == nil {
			t.Errorf("Parse(%s) accepted it", doc)
		}
	}
}

func TestAccount(t *testing.T) {
	for v, want := range map[string]string{
		"123456789012":                              "123456789012",
		"arn:aws:iam::123456789012:root":            "123456789012",
		"arn:aws-cn:iam::123456789012:role/a/b":     "123456789012",
		"arn:aws:iam::123456789012:saml-provider/x": "123456789012",
		"arn:aws:sns:*:123456789012:*":              "123456789012",
		"arn:aws:iam::*:role/x":                     "",
		"arn:aws:s3:::bucket":                       "",
		"*":                                         "",
		"AROAEXAMPLEID1234567":                      "",
		"lambda.amazonaws.com":                      "",
		"1234567890":                                "",
	} {
		if got := Account(v); got != want {
			t.Errorf("Account(%q) = %q, want %q", v, got, want)
		}
	}
}
