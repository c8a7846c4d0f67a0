package attest

import (
	"strings"
	"testing"
	"time"
)

func known(id string) (bool, bool) {
	switch id {
	case "iam.root-mfa":
		return true, true
	case "iam.password-policy":
		return true, false
	}
	return false, false
}

func TestParseAndLookup(t *testing.T) {
	s, err := Parse([]byte(`attestations:
  - control: iam.root-mfa
    account: "*"
    by: alice@example.com
    date: 2026-01-10
    evidence: https://wiki.example.com/root-mfa
  - control: iam.root-mfa
    account: "123456789012"
    by: bob@example.com
    date: 2026-02-01
    expires: 2026-03-01
`), known)
	if err != nil {
		t.Fatal(err)
	}
	if a := s.Lookup("iam.root-mfa", "123456789012"); a == nil || a.By != "bob@example.com" || !a.ExpiresAt().Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("account-specific lookup = %+v", a)
	}
	if a := s.Lookup("iam.root-mfa", "999999999999"); a == nil || a.By != "alice@example.com" || !a.ExpiresAt().Equal(a.DateOf().Add(DefaultValidity)) {
		t.Fatalf("wildcard lookup = %+v", a)
	}
	if s.Lookup("iam.root-hardware-mfa", "123456789012") != nil {
		t.Fatal("lookup of another control matched")
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := []struct{ src, want string }{
		{"attestations:\n  - control: nope\n    account: '*'\n    by: a\n    date: 2026-01-01\n", `2:1: attestation 1: unknown control "nope"`},
		{"attestations:\n  - {control: iam.root-mfa, account: '*', by: a, date: 2026-01-01}\n  - {control: iam.password-policy, account: '*', by: a, date: 2026-01-01}\n", "3:1: attestation 2: control \"iam.password-policy\" is checked automatically"},
		{"attestations:\n  - {control: iam.root-mfa, account: '12', by: a, date: 2026-01-01}\n", "not a 12-digit account id"},
		{"attestations:\n  - {control: iam.root-mfa, account: '*', by: a, date: 'yesterday'}\n", `date: "yesterday" is not a date`},
		{"attestations:\n  - {control: iam.root-mfa, account: '*', by: a, date: 2026-01-01, expires: 2025-01-01}\n", "expires is before date"},
		{"attestations:\n  - {control: iam.root-mfa, account: '*', date: 2026-01-01}\n", "by (who attests) is required"},
		{"attestations:\n  - {control: iam.root-mfa, acount: '*'}\n", "2:"},
	}
	for _, tc := range cases {
		_, err := Parse([]byte(tc.src), known)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tc.src, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("attestations:\n  - {control: iam.root-mfa, account: '*', by: a, date: 2026-01-01}\n"))
	f.Add([]byte("attestations: []\n"))
	f.Add([]byte("attestations:\n  - control: iam.root-mfa\n    expires: 2026-13-01\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b, known)
		if err != nil {
			return
		}
		for _, a := range s.All() {
			if a.ExpiresAt().Before(a.DateOf()) {
				t.Fatalf("accepted an attestation that expires before it was made: %+v", a)
			}
		}
	})
}
