package rules

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/secure-baseline/baseline/internal/sigma"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestEventPatternGolden(t *testing.T) {
	rules := builtinRules(t)
	for name, id := range map[string]string{
		"cloudtrail-stopped-or-deleted": "edb9c669-db2a-4bbc-a6d9-f39bb57bb8b7", // plain selection
		"console-login-without-mfa":     "528d3cec-4b56-4d8f-9c38-cbdc16435577", // sign-in detail type, nested fields
		"root-activity":                 "5874f12a-d99d-4f80-9887-b628d4cc7d1d", // eventType detail types, null, no source
		"secrets-batch-by-filter":       "31c716f9-adcd-4d73-b1a4-e2346fc6deed", // exists modifier
		"lambda-code-updated":           "319f80b4-3558-4d2d-8c20-bafeb937b13e", // startswith
		"rds-snapshot-shared":           "96ff0811-e2a1-4e2e-a94d-fc0e51ba8c28", // lone wildcard
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := EventPattern(ruleByID(t, rules, id))
			if !ok {
				t.Fatal("no pattern")
			}
			if !json.Valid([]byte(got)) {
				t.Fatalf("invalid JSON %s", got)
			}
			golden := filepath.Join("testdata", "eventpattern", name+".json")
			if *update {
				if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got+"\n" != string(want) {
				t.Errorf("pattern\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestEventPatternInexpressible(t *testing.T) {
	rules := builtinRules(t)
	for why, id := range map[string]string{
		"correlation":              "7e3daa8b-0e8e-49a5-a17b-df5956548651",
		"re and fieldref":          "6ad9723e-fd03-4f9d-9430-8328b4e83abb",
		"two selections":           "477cf5dd-3eda-4178-9838-ecc42a66ae0f",
		"not":                      "6048b7f3-a87b-4ae9-8d7b-06d2509144fb",
		"contains and endswith OR": "3dd3b919-4cd9-4b79-8f82-0e546f7ae512",
	} {
		if p, ok := EventPattern(ruleByID(t, rules, id)); ok {
			t.Errorf("%s: got pattern %s", why, p)
		}
	}
	user, err := sigma.ParseRule([]byte(userRule))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := EventPattern(user); ok {
		t.Errorf("user rule: got pattern %s", p)
	}
}
