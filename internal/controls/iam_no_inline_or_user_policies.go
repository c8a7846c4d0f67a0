package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.no-inline-or-user-policies",
	Title:    "IAM users get permissions through groups or roles only",
	Stage:    "F5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.Low,
	CIS:      []string{"2.15"},
	Rationale: "Permissions granted user by user drift apart and are forgotten when people change jobs; " +
		"granting them to groups or roles keeps access reviewable by function.",
	Steps: "Put the user in a group that carries the permissions (or have it assume a role), then remove its own policies.\n" +
		"Console: IAM > Users > USER > Permissions > Remove.\n" +
		"CLI: aws iam add-user-to-group --user-name USER --group-name GROUP; aws iam detach-user-policy --user-name USER --policy-arn ARN; " +
		"aws iam delete-user-policy --user-name USER --policy-name NAME",
	Reads: authDetailsReads,
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
			var own []string
			if len(u.InlinePolicies) > 0 {
				own = append(own, "inline "+strings.Join(sortedKeys(u.InlinePolicies), ", "))
			}
			if len(u.AttachedPolicies) > 0 {
				own = append(own, "attached "+strings.Join(u.AttachedPolicies, ", "))
			}
			if len(own) > 0 {
				e.Fail(u.Arn, "user %s has its own policies (%s): grant them through a group or role", u.Name, strings.Join(own, "; "))
			} else {
				e.Pass(u.Arn, "user %s has no policies of its own", u.Name)
			}
		}
	},
})
