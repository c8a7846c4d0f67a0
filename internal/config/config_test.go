package config

import (
	"strings"
	"testing"

	_ "github.com/secure-baseline/baseline/internal/controls"
)

func TestParseValid(t *testing.T) {
	c, err := Parse([]byte(`version: 1
organization:
  security_account: security
  log_archive_account: "222222222222"
regions:
  allowed: [us-east-1, eu-west-1]
audit:
  required_tags: [owner]
  unused_credential_days: 30
  break_glass_users: [breakglass]
controls:
  account.alias:
    enabled: false
`))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Settings()
	if s.SecurityAccount != "security" || s.UnusedCredentialDays != 30 || s.AccessKeyMaxAgeDays != 90 || len(s.AllowedRegions) != 2 {
		t.Fatalf("settings = %+v", s)
	}
	if !c.Disabled()["account.alias"] {
		t.Fatal("account.alias should be disabled")
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown top-level key", "version: 1\nregion:\n  allowed: [us-east-1]\n", `2:1: unknown key "region"`},
		{"unknown nested key", "version: 1\naudit:\n  required_tags: [a]\n  unused_days: 3\n", `4:3: unknown key "unused_days" at audit`},
		{"wrong type", "version: 1\naudit:\n  unused_credential_days: ten\n", "3:27: audit.unused_credential_days"},
		{"bad region", "regions:\n  allowed:\n    - us-east-1\n    - mars-1\n", "4:7: regions.allowed.1"},
		{"unknown control", "controls:\n  nope.control:\n    enabled: false\n", `2:3: unknown control "nope.control"`},
		{"bad yaml", "audit: [\n", "1:"},
		{"bad version", "version: 2\n", "1:10: version"},
		{"bad account id", "audit:\n  trusted_accounts: ['12345']\n", "2:22: audit.trusted_accounts.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tc.want) && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not start with %q", err, tc.want)
			}
		})
	}
}

func TestEmptyFileIsDefault(t *testing.T) {
	c, err := Parse([]byte("  \n"))
	if err != nil || c.Version != 1 {
		t.Fatalf("c=%+v err=%v", c, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("version: 1\naudit:\n  required_tags: [owner]\n"))
	f.Add([]byte("controls:\n  account.alias: {enabled: false}\n"))
	f.Add([]byte("regions: {allowed: [us-east-1], home: eu-west-1}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
		if err != nil && !strings.Contains(err.Error(), ":") {
			t.Fatalf("error without position: %v", err)
		}
	})
}

func TestTrailAlerts(t *testing.T) {
	c, err := Parse([]byte(`trail:
  alerts:
    sns: ["arn:aws:sns:us-east-1:111111111111:security-alerts"]
    webhooks: [{url: "https://hooks.example.com/baseline", secret_env: BASELINE_HOOK_SECRET}]
    slack: [{url_env: SLACK_URL}]
    group_window: 10m
`))
	if err != nil {
		t.Fatal(err)
	}
	a := c.Trail.Alerts
	if len(a.SNS) != 1 || len(a.Webhooks) != 1 || a.Webhooks[0].SecretEnv != "BASELINE_HOOK_SECRET" || a.GroupWindow.Minutes() != 10 || a.Slack[0].URLEnv != "SLACK_URL" {
		t.Fatalf("alerts = %+v", a)
	}
	// A Slack URL is a secret: it may only come from the environment.
	if _, err := Parse([]byte("trail:\n  alerts:\n    slack: [{url: 'https://hooks.slack.com/x'}]\n")); err == nil || !strings.HasPrefix(err.Error(), "3:") {
		t.Fatalf("slack url in the file: err = %v", err)
	}
}
