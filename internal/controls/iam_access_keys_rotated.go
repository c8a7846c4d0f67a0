package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:        "iam.access-keys-rotated",
	Title:     "Active access keys are rotated",
	Stage:     "F5",
	Kind:      catalog.Detective,
	Scope:     catalog.ScopeResource,
	Unit:      catalog.PerAccount,
	Severity:  catalog.Medium,
	CIS:       []string{"2.14"},
	Rationale: "Access keys end up in laptops, CI logs and old repositories; rotating them bounds how long a copy that leaked unnoticed stays useful.",
	Steps: "Create a second key, move every consumer to it, deactivate the old key, watch for errors, then delete it.\n" +
		"Console: IAM > Users > USER > Security credentials > Create access key / Deactivate / Delete.\n" +
		"CLI: aws iam create-access-key --user-name USER; aws iam update-access-key --user-name USER --access-key-id OLD --status Inactive; " +
		"aws iam delete-access-key --user-name USER --access-key-id OLD",
	Reads: credentialReportReads,
	Knob:  "audit.access_key_max_age_days",
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		maxAge := e.Settings.AccessKeyMaxAgeDays
		reported := false
		for _, u := range iamUsers(s) {
			var old, fresh []string
			for i, k := range u.AccessKeys {
				if !k.Active || k.Rotated == nil {
					continue
				}
				desc := fmt.Sprintf("access key %d created %s", i+1, dated(e.Now, *k.Rotated))
				if daysSince(e.Now, *k.Rotated) > maxAge {
					old = append(old, desc)
				} else {
					fresh = append(fresh, desc)
				}
			}
			switch {
			case len(old)+len(fresh) == 0:
				continue
			case e.Settings.IsHoneytoken(u.User):
				e.Skip(u.Arn, "user %s is a declared honeytoken: its key is bait, not rotated", u.User)
			case len(old) > 0:
				e.Fail(u.Arn, "user %s: %s, older than %d days: rotate it", u.User, strings.Join(old, "; "), maxAge)
			default:
				e.Pass(u.Arn, "user %s: %s", u.User, strings.Join(fresh, "; "))
			}
			reported = true
		}
		if !reported {
			e.Pass("", "no IAM user has an active access key")
		}
	},
})
