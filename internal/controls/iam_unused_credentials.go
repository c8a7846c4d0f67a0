package controls

import (
	"fmt"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:        "iam.unused-credentials",
	Title:     "No IAM password or access key left unused",
	Stage:     "F5",
	Kind:      catalog.Detective,
	Scope:     catalog.ScopeResource,
	Unit:      catalog.PerAccount,
	Severity:  catalog.Medium,
	CIS:       []string{"2.12"},
	Rationale: "A credential nobody uses is one nobody would notice being used by someone else; removing it costs nothing and shrinks what can leak.",
	Steps: "Console: IAM > Users > USER > Security credentials: remove the console password (Manage console access > Disable) and deactivate, then delete, unused access keys.\n" +
		"CLI: aws iam delete-login-profile --user-name USER; aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive; " +
		"aws iam delete-access-key --user-name USER --access-key-id KEY",
	Reads: credentialReportReads,
	Knob:  "audit.unused_credential_days",
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		days := e.Settings.UnusedCredentialDays
		reported := false
		for _, u := range iamUsers(s) {
			hasKey := u.AccessKeys[0].Active || u.AccessKeys[1].Active
			if e.Settings.IsHoneytoken(u.User) {
				if u.PasswordEnabled || hasKey {
					reported = true
					e.Skip(u.Arn, "user %s is a declared honeytoken: its credentials are meant to stay unused", u.User)
				}
				continue
			}
			var checked, stale []string
			// A break-glass password is kept for emergencies, so it is unused by design.
			if u.PasswordEnabled && !e.Settings.IsBreakGlass(u.User) {
				checked = append(checked, "password")
				issued := u.PasswordLastChanged
				if issued == nil {
					issued = u.UserCreation
				}
				stale = appendStale(stale, e.Now, "password", u.PasswordLastUsed, issued, days)
			}
			for i, k := range u.AccessKeys {
				if k.Active {
					name := fmt.Sprintf("access key %d", i+1)
					checked = append(checked, name)
					stale = appendStale(stale, e.Now, name, k.LastUsed, k.Rotated, days)
				}
			}
			if len(checked) == 0 {
				continue
			}
			reported = true
			if len(stale) > 0 {
				e.Fail(u.Arn, "user %s: %s (unused for %d days or more): remove or deactivate it", u.User, strings.Join(stale, "; "), days)
			} else {
				e.Pass(u.Arn, "user %s: %s used or issued within the last %d days", u.User, strings.Join(checked, " and "), days)
			}
		}
		if !reported {
			e.Pass("", "no IAM user has a console password or an active access key")
		}
	},
})

// appendStale adds a description of credential what when it has been unused
// for at least days: since its last use, or since it was issued when it
// was never used.
func appendStale(stale []string, now time.Time, what string, lastUsed, issued *time.Time, days int) []string {
	switch {
	case lastUsed != nil:
		if daysSince(now, *lastUsed) >= days {
			return append(stale, what+" last used "+dated(now, *lastUsed))
		}
	case issued != nil:
		if daysSince(now, *issued) >= days {
			return append(stale, what+" never used since it was issued on "+dated(now, *issued))
		}
	}
	return stale
}
