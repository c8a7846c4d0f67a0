package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.no-iam-users",
	Title:    "No IAM users except declared break-glass users",
	Stage:    "F5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "People should sign in through IAM Identity Center or federation, with short-lived credentials and one place to revoke them; " +
		"every IAM user is a long-lived identity to rotate, audit and forget about. Break-glass and honeytoken users are the deliberate exceptions.",
	Steps: "Move the user's owner to IAM Identity Center or a federated role, then delete the user (console: IAM > Users > Delete; " +
		"CLI: delete its login profile, access keys, MFA devices, policies and group memberships, then aws iam delete-user --user-name USER).\n" +
		"Declare deliberate exceptions in baseline.yaml: audit.break_glass_users or audit.honeytoken_users.",
	Reads: authDetailsReads,
	Knob:  "audit.break_glass_users",
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		if len(s.Users) == 0 {
			e.Pass("", "no IAM users")
			return
		}
		for _, u := range s.Users {
			switch {
			case e.Settings.IsBreakGlass(u.Name):
				e.Pass(u.Arn, "user %s is a declared break-glass user", u.Name)
			case e.Settings.IsHoneytoken(u.Name):
				e.Pass(u.Arn, "user %s is a declared honeytoken user", u.Name)
			default:
				e.Fail(u.Arn, "IAM user %s exists: move its owner to IAM Identity Center or federation, or declare it in audit.break_glass_users", u.Name)
			}
		}
	},
})
