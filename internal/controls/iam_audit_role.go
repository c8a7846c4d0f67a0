package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.audit-role",
	Title:    "A read-only audit role trusted only by the security account",
	Stage:    "C1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "The security team must be able to look into every account at any time without write access, " +
		"and nobody else should be able to borrow that view: a read-only role whose trust names the security account alone.",
	Steps: fmt.Sprintf("Create role %[1]s trusting only the security account and attach SecurityAudit (and ReadOnlyAccess if the team needs data-plane reads).\n"+
		"CLI: aws iam create-role --role-name %[1]s --assume-role-policy-document "+
		`'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::SECURITY_ACCOUNT_ID:root"},"Action":"sts:AssumeRole"}]}' && `+
		"aws iam attach-role-policy --role-name %[1]s --policy-arn arn:aws:iam::aws:policy/SecurityAudit\n"+
		"Designate the security account in baseline.yaml (organization.security_account) or put it in a Security OU.",
		auditRole(catalog.Defaults())),
	Reads: authDetailsReads,
	Knob:  "organization.security_account",
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		sec := e.Designated("security")
		if sec == nil {
			e.Fail("", "no security account is designated, so no audit role can be trusted by it (set organization.security_account)")
			return
		}
		var misfits []string
		for _, r := range s.Roles {
			if !readOnlyRole(r.AttachedPolicies) {
				continue
			}
			accounts, others, err := trustedPrincipals(r.TrustPolicy)
			if err != nil {
				misfits = append(misfits, fmt.Sprintf("%s has an unreadable trust policy (%v)", r.Name, err))
				continue
			}
			var foreign []string
			for _, a := range accounts {
				if a != sec.AccountID {
					foreign = append(foreign, a)
				}
			}
			foreign = append(foreign, others...)
			if len(accounts) > 0 && len(foreign) == 0 {
				e.Pass("", "role %s is read-only and trusted only by the security account %s", r.Name, accountLabel(sec))
				return
			}
			if len(accounts) == 0 && len(others) == 0 {
				foreign = []string{"nobody"}
			}
			misfits = append(misfits, fmt.Sprintf("%s trusts %s", r.Name, strings.Join(foreign, ", ")))
		}
		if len(misfits) > 0 {
			e.Fail("", "no read-only role is trusted only by the security account %s: %s", accountLabel(sec), strings.Join(misfits, "; "))
			return
		}
		e.Fail("", "no role with SecurityAudit or ReadOnlyAccess: create %s trusted by the security account %s", auditRole(e.Settings), accountLabel(sec))
	},
	Fix: &catalog.Fix{
		// SecurityAudit reads configuration, ViewOnlyAccess lists resources:
		// together what an audit needs, and no data.
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 {
				return
			}
			sec := p.DesignatedOrBlock("security")
			if sec == nil {
				return
			}
			planRole(p, roleSpec{Name: auditRole(p.Settings), Trusted: []string{sec.AccountID},
				Policies: []string{awsPolicyARN(p.Settings, "SecurityAudit"), awsPolicyARN(p.Settings, "job-function/ViewOnlyAccess")}})
		},
		Ops: roleOps,
	},
})

// readOnlyRole reports whether one of the role's policies is an AWS
// read-only policy.
func readOnlyRole(attached []string) bool {
	for _, p := range attached {
		if isAWSManaged(p, "SecurityAudit") || isAWSManaged(p, "ReadOnlyAccess") {
			return true
		}
	}
	return false
}
