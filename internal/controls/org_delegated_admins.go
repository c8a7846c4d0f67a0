package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "org.delegated-admins",
	Title:    "GuardDuty, Security Hub, Config and IAM Access Analyzer are administered from the security account",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.High,
	CIS:      []string{"2.1.6"},
	Rationale: "A delegated administrator manages a security service for every account of the organization, " +
		"enables it in new accounts automatically and keeps its findings where workload owners cannot alter them; " +
		"administering it from the management account instead means using that unrestricted account every day.",
	Steps: "From the management account, delegate each service to the security account.\n" +
		"Console: GuardDuty / Security Hub / IAM Access Analyzer > Settings > Delegated administrator; " +
		"AWS Organizations > Services > AWS Config > Register delegated administrator.\n" +
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
		if sec := designated(e, "security", "organization.security_account"); sec != nil {
			reportDelegation(e, o, sec)
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			o := orgToPlan(p)
			if o == nil {
				return
			}
			switch sec := p.Designated("security"); {
			case sec == nil:
				blockFailing(p)
			case sec.AccountID == o.ManagementAccountID:
				p.Here().Block("", "the security account %s is the management account, which cannot be a delegated administrator: "+
					"designate a member account (organization.security_account)", accountLabel(sec))
			default:
				planDelegations(p, o, sec)
			}
		},
		Ops: delegationOps,
	},
})

// reportDelegation reports whether account sec administers every security
// service. Missing delegations are ERROR, not FAIL, when the services of
// some delegated administrator could not be listed.
func reportDelegation(e *catalog.Eval, o *snapshot.Organization, sec *snapshot.Account) {
	gaps := delegationGaps(o, sec.AccountID)
	if len(gaps) == 0 {
		e.Pass("", "security account %s administers GuardDuty, Security Hub, Config and IAM Access Analyzer", accountLabel(sec))
		return
	}
	if unread := readErrorsOf(e.Snap, "", "organizations:ListDelegatedServicesForAccount"); len(unread) > 0 {
		e.Errorf("", "security account %s does not seem to administer %s, but %s", accountLabel(sec), strings.Join(gaps, ", "), listOf(unread))
		return
	}
	e.Fail("", "security account %s does not administer %s", accountLabel(sec), strings.Join(gaps, ", "))
}
