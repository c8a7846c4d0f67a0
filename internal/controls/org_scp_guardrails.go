package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:       "org.scp-guardrails",
	Title:    "SCPs are enabled and the baseline guardrails cover every OU",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.High,
	CIS:      []string{"2.1.2"},
	Rationale: "Service control policies are the only controls that bind a member account's administrators. " +
		"The baseline guardrails (no leaving the organization, no blinding the logging and detection services) " +
		"must hold in every account, so they belong on the root or on every OU.",
	Steps: "Enable SCPs, then attach the deny-leave-org and protect-logging SCPs to the root (see org.scp.deny-leave-org and org.scp.protect-logging).\n" +
		"Console: AWS Organizations > Policies > Service control policies > Enable; then attach the policies to the Root.\n" +
		"CLI: aws organizations enable-policy-type --root-id <root-id> --policy-type SERVICE_CONTROL_POLICY\n" +
		"     aws organizations attach-policy --policy-id <p-id> --target-id <root-id>",
	Reads: orgReads(orgTreeReads, orgPolicyReads),
	Check: func(e *catalog.Eval) {
		v := scpViewOf(e)
		if v == nil {
			return
		}
		reqs := append(append([]scpRequest{}, leaveOrgRequests...), loggingRequests...)
		v.report(e, "leaving the organization or stopping the logging services", v.guard(reqs, actionName))
	},
	Fix: scpFix,
})
