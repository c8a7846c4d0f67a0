package controls

import "github.com/secure-baseline/baseline/internal/catalog"

// loggingRequests are the calls that stop or delete the security logging
// and detection services, which the protect-logging guardrail must deny.
var loggingRequests = requestsFor(
	"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
	"config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
	"guardduty:DeleteDetector", "guardduty:UpdateDetector",
	"guardduty:DisassociateFromMasterAccount", "guardduty:DisassociateFromAdministratorAccount",
	"securityhub:DisableSecurityHub", "securityhub:DisassociateFromAdministratorAccount",
	"access-analyzer:DeleteAnalyzer",
)

var _ = catalog.Register(&catalog.Control{
	ID:       "org.scp.protect-logging",
	Title:    "An SCP denies stopping or deleting CloudTrail, Config, GuardDuty, Security Hub and Access Analyzer",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.High,
	Rationale: "An intruder's first move is to blind the defenders: stop the trail, the Config recorder or GuardDuty. " +
		"An SCP makes that impossible even for administrators of the member account; a condition can exempt the " +
		"role that the baseline itself uses to change these services.",
	Steps: "Attach the protect-logging SCP to the root (`baseline policy show protect-logging`): Deny on the actions " +
		"cloudtrail:StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors; config:StopConfigurationRecorder, " +
		"DeleteConfigurationRecorder, DeleteDeliveryChannel; guardduty:DeleteDetector, UpdateDetector, " +
		"DisassociateFromMasterAccount, DisassociateFromAdministratorAccount; securityhub:DisableSecurityHub, " +
		"DisassociateFromAdministratorAccount; access-analyzer:DeleteAnalyzer, optionally with " +
		"\"Condition\": {\"ArnNotLike\": {\"aws:PrincipalArn\": \"arn:aws:iam::*:role/<baseline-admin-role>\"}}.\n" +
		"Console: AWS Organizations > Policies > Service control policies > Create policy, then Targets > Attach > Root.\n" +
		"CLI: aws organizations create-policy --type SERVICE_CONTROL_POLICY --name protect-logging --content file://protect-logging.json\n" +
		"     aws organizations attach-policy --policy-id <p-id> --target-id <root-id>",
	Reads: orgReads(orgTreeReads, orgPolicyReads),
	Check: func(e *catalog.Eval) {
		if v := scpViewOf(e); v != nil {
			v.report(e, "stopping or deleting CloudTrail, Config, GuardDuty, Security Hub and Access Analyzer", v.guard(loggingRequests, actionName))
		}
	},
	Fix: scpFix,
})
