package rules

import (
	"testing"

	"github.com/secure-baseline/baseline/internal/sigma"
)

func TestHoneytoken(t *testing.T) {
	if Honeytoken(nil) != nil {
		t.Error("no users must give no rule")
	}
	r := Honeytoken([]string{"backup-admin", `odd"name*`})
	if r.ID != HoneytokenRuleID || r.Level != "critical" {
		t.Errorf("rule %s level %s", r.ID, r.Level)
	}
	for _, tc := range []struct {
		name  string
		event map[string]any
		want  bool
	}{
		{"call by the user", map[string]any{"eventName": "ListBuckets",
			"userIdentity": map[string]any{"type": "IAMUser", "userName": "backup-admin", "accessKeyId": "AKIAEXAMPLE"}}, true},
		{"denied call, other case", map[string]any{"eventName": "GetCallerIdentity", "errorCode": "AccessDenied",
			"userIdentity": map[string]any{"type": "IAMUser", "userName": "Backup-Admin"}}, true},
		{"federation token session", map[string]any{"eventName": "ListUsers",
			"userIdentity": map[string]any{"type": "FederatedUser", "sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "IAMUser", "userName": "backup-admin"}}}}, true},
		{"quoted name taken literally", map[string]any{"eventName": "ListUsers",
			"userIdentity": map[string]any{"type": "IAMUser", "userName": `odd"name*`}}, true},
		{"another user", map[string]any{"eventName": "ListBuckets",
			"userIdentity": map[string]any{"type": "IAMUser", "userName": "alice"}}, false},
		{"no wildcard from the name", map[string]any{"eventName": "ListBuckets",
			"userIdentity": map[string]any{"type": "IAMUser", "userName": `odd"name-and-more`}}, false},
		{"an auditor reading the user", map[string]any{"eventName": "ListAccessKeys",
			"requestParameters": map[string]any{"userName": "backup-admin"},
			"userIdentity":      map[string]any{"type": "IAMUser", "userName": "auditor"}}, false},
		{"role session named like the user", map[string]any{"eventName": "ListBuckets",
			"userIdentity": map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/r/backup-admin",
				"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "userName": "r"}}}}, false},
	} {
		if got := r.Match(&sigma.MapEvent{Fields: tc.event}); got != tc.want {
			t.Errorf("%s: match = %v, want %v", tc.name, got, tc.want)
		}
	}
}
