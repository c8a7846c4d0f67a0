package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.unused-roles",
	Title:    "No IAM role left unused",
	Stage:    "F5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.Low,
	Rationale: "Roles nobody assumes still carry permissions and trust relationships, often to vendors or accounts long gone; " +
		"each one is a door left unlocked. Service-linked roles are managed by AWS and are left out.",
	Steps: "Check the role's last activity (IAM > Roles > ROLE > Last activity, or Access Advisor), confirm with its owner, then delete it.\n" +
		"CLI: aws iam get-role --role-name ROLE --query Role.RoleLastUsed; detach and delete its policies and instance profiles, " +
		"then aws iam delete-role --role-name ROLE",
	Reads: authDetailsReads,
	Knob:  "audit.role_unused_days",
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		days := e.Settings.RoleUnusedDays
		for _, r := range s.Roles {
			switch {
			case r.ServiceLinked():
			case daysSince(e.Now, r.Created) < days:
				e.Pass(r.Arn, "role %s was created on %s, within the %d-day grace period", r.Name, dated(e.Now, r.Created), days)
			case r.LastUsed == nil:
				e.Fail(r.Arn, "role %s has no recorded use since it was created on %s: delete it if nobody needs it", r.Name, dated(e.Now, r.Created))
			case daysSince(e.Now, *r.LastUsed) >= days:
				e.Fail(r.Arn, "role %s was last used on %s: delete it if nobody needs it", r.Name, dated(e.Now, *r.LastUsed))
			default:
				e.Pass(r.Arn, "role %s was last used on %s", r.Name, dated(e.Now, *r.LastUsed))
			}
		}
		if len(e.Findings()) == 0 {
			e.Pass("", "no IAM roles other than service-linked ones")
		}
	},
})
