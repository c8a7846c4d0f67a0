package controls

import "github.com/secure-baseline/baseline/internal/catalog"

// leaveOrgRequests are what the deny-leave-org guardrail must deny.
var leaveOrgRequests = []scpRequest{{action: "organizations:LeaveOrganization"}}

var _ = catalog.Register(&catalog.Control{
	ID:       "org.scp.deny-leave-org",
	Title:    "An SCP denies leaving the organization",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.High,
	Rationale: "An account that leaves the organization sheds every SCP, the organization trail and the delegated " +
		"security services at once; an attacker with admin rights in a member account needs only this one call.",
	Steps: "Attach an SCP denying organizations:LeaveOrganization to the root (`baseline policy show deny-leave-org`).\n" +
		"Console: AWS Organizations > Policies > Service control policies > Create policy, then Targets > Attach > Root.\n" +
		"CLI: aws organizations create-policy --type SERVICE_CONTROL_POLICY --name deny-leave-org " +
		"--content '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"organizations:LeaveOrganization\",\"Resource\":\"*\"}]}'\n" +
		"     aws organizations attach-policy --policy-id <p-id> --target-id <root-id>",
	Reads: orgReads(orgTreeReads, orgPolicyReads),
	Check: func(e *catalog.Eval) {
		if v := scpViewOf(e); v != nil {
			v.report(e, "organizations:LeaveOrganization", v.guard(leaveOrgRequests, actionName))
		}
	},
	Fix: scpFix,
})
