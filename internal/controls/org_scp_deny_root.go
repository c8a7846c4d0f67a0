package controls

import "github.com/secure-baseline/baseline/internal/catalog"

// rootRequests probe a few actions as a member account's root user: a
// root-denying SCP (Deny * when aws:PrincipalArn is arn:aws:iam::*:root)
// denies them all.
var rootRequests = func() []scpRequest {
	reqs := requestsFor("iam:CreateAccessKey", "ec2:RunInstances", "s3:DeleteBucket")
	for i := range reqs {
		reqs[i].keys = map[string]string{"aws:principalarn": "arn:aws:iam::111122223333:root"}
	}
	return reqs
}()

var _ = catalog.Register(&catalog.Control{
	ID:       "org.scp.deny-root",
	Title:    "An SCP denies the root user's actions in member accounts",
	Stage:    "C4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.Medium,
	Rationale: "The root user of a member account cannot be restricted by IAM, and its password can be reset by whoever " +
		"controls the account's email. An SCP denying everything to the root user neutralises a stolen root credential.",
	Steps: "Attach the deny-root SCP to the root (`baseline policy show deny-root`).\n" +
		"Console: AWS Organizations > Policies > Service control policies > Create policy, then Targets > Attach > Root.\n" +
		"CLI: aws organizations create-policy --type SERVICE_CONTROL_POLICY --name deny-root " +
		"--content '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"," +
		"\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:root\"}}}]}'\n" +
		"     aws organizations attach-policy --policy-id <p-id> --target-id <root-id>",
	Reads: orgReads(orgTreeReads, orgPolicyReads),
	Check: func(e *catalog.Eval) {
		if v := scpViewOf(e); v != nil {
			v.report(e, "the root user's use of "+rootRequests[0].action+", "+rootRequests[1].action+" and "+rootRequests[2].action,
				v.guard(rootRequests, func(r scpRequest) string { return r.action + " by root" }))
		}
	},
	Fix: scpFix,
})
