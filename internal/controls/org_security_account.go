package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "org.security-account",
	Title:    "A dedicated security account holds the delegated security services",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.High,
	Rationale: "Security tooling (GuardDuty, Security Hub, Config aggregation, IAM Access Analyzer) administered from one " +
		"dedicated account sees every account, while the people who run workloads cannot switch it off, and the " +
		"management account, which SCPs cannot restrict, is not used day to day.",
	Steps: "Create (or pick) a member account for security, put it in a Security OU or tag it category=security " +
		"(or name it in baseline.yaml organization.security_account), then delegate the services to it from the management account.\n" +
		"Console: AWS Organizations > Services > GuardDuty / Security Hub / Config / IAM Access Analyzer > Register delegated administrator.\n" +
		"CLI: aws guardduty enable-organization-admin-account --admin-account-id <security-id>\n" +
		"     aws securityhub enable-organization-admin-account --admin-account-id <security-id>\n" +
		"     aws organizations register-delegated-administrator --account-id <security-id> --service-principal config.amazonaws.com\n" +
		"     aws organizations register-delegated-administrator --account-id <security-id> --service-principal access-analyzer.amazonaws.com",
	Reads: orgReads(orgTreeReads, orgDelegationReads),
	Knob:  "organization.security_account",
	Check: func(e *catalog.Eval) {
		o := orgTree(e)
		if o == nil {
			return
		}
		sec := designated(e, "security", "organization.security_account")
		switch {
		case sec == nil:
		case sec.AccountID == o.ManagementAccountID:
			e.Fail("", "the management account %s doubles as the security account: designate a dedicated member account", accountLabel(sec))
		default:
			reportDelegation(e, o, sec)
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			o := orgToPlan(p)
			if o == nil {
				return
			}
			sec := p.Designated("security")
			if sec == nil || sec.AccountID == o.ManagementAccountID {
				blockFailing(p)
				return
			}
			planRoleTag(p, sec)
			if !p.Enabled("org.delegated-admins") {
				planDelegations(p, o, sec)
			}
		},
		Ops: opsOf(categoryOps, delegationOps),
	},
})
