package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.support-role",
	Title:    "A role exists for managing incidents with AWS Support",
	Stage:    "F5",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Low,
	CIS:      []string{"2.17"},
	Rationale: "During an incident someone must open and follow AWS Support cases without being handed administrator rights; " +
		"a role with AWSSupportAccess makes that a least-privilege, auditable step prepared in advance.",
	Steps: "Create a role trusted by the identity or security account and attach AWSSupportAccess.\n" +
		"CLI: aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json && " +
		"aws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess",
	Reads: authDetailsReads,
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		var roles []string
		for _, r := range s.Roles {
			for _, p := range r.AttachedPolicies {
				if isAWSManaged(p, "AWSSupportAccess") {
					roles = append(roles, r.Name)
				}
			}
		}
		if len(roles) == 0 {
			e.Fail("", "no role has the AWSSupportAccess policy attached")
			return
		}
		e.Pass("", "AWSSupportAccess is attached to role %s", listOf(roles))
	},
	Fix: &catalog.Fix{
		// The role trusts its own account, whose administrators decide who
		// may assume it (SSO permission sets, break-glass users).
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 {
				return
			}
			planRole(p, roleSpec{Name: supportRole(p.Settings), Trusted: []string{p.Account.AccountID},
				Policies: []string{awsPolicyARN(p.Settings, "AWSSupportAccess")}})
		},
		Ops: roleOps,
	},
})
