package controls

import (
	"fmt"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.root-not-used",
	Title:    "Root user not used recently",
	Stage:    "F5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.High,
	CIS:      []string{"2.7"},
	Rationale: "Day-to-day work as root bypasses every permission boundary and leaves no named person in CloudTrail; " +
		"root is kept for the few tasks only it can do, so recent use is either such a task or an intrusion to investigate.",
	Steps: "Find out who used root and why (CloudTrail: userIdentity.type = Root), move that work to named roles, and keep the root password and MFA in a safe.\n" +
		"CLI check: aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d | grep '<root_account>' " +
		"(password_last_used and access_key_*_last_used_date).",
	Reads: credentialReportReads,
	Knob:  "audit.root_unused_days",
	Check: func(e *catalog.Eval) {
		root := rootRow(e)
		if root == nil {
			return
		}
		how, last := "signed in with its password", root.PasswordLastUsed
		for i, k := range root.AccessKeys {
			if k.LastUsed != nil && (last == nil || k.LastUsed.After(*last)) {
				how, last = fmt.Sprintf("used access key %d", i+1), k.LastUsed
			}
		}
		switch {
		case last == nil:
			e.Pass("", "the root user has no recorded use")
		case daysSince(e.Now, *last) < e.Settings.RootUnusedDays:
			e.Fail("", "the root user %s on %s, within the last %d days: confirm it was a root-only task", how, dated(e.Now, *last), e.Settings.RootUnusedDays)
		default:
			e.Pass("", "the root user last %s on %s", how, dated(e.Now, *last))
		}
	},
})
