package controls

import "github.com/secure-baseline/baseline/internal/catalog"

// s3PABRequests: the account-level Block Public Access is changed, and
// deleted, through this one permission.
var s3PABRequests = requestsFor("s3:PutAccountPublicAccessBlock")

var _ = catalog.Register(&catalog.Control{
	ID:       "org.scp.protect-s3-public-access-block",
	Title:    "An SCP denies changing S3 Block Public Access",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.Medium,
	Rationale: "Account-level Block Public Access is the backstop that keeps a mistaken bucket policy or ACL from " +
		"publishing data. Denying its change in an SCP keeps the backstop in place whatever permissions a member " +
		"account's users are given.",
	Steps: "Turn Block Public Access on in every account first (s3.account-public-access-block), then attach an SCP " +
		"denying s3:PutAccountPublicAccessBlock to the root (`baseline policy show protect-s3-public-access-block`).\n" +
		"Console: AWS Organizations > Policies > Service control policies > Create policy, then Targets > Attach > Root.\n" +
		"CLI: aws organizations create-policy --type SERVICE_CONTROL_POLICY --name protect-s3-public-access-block " +
		"--content '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:PutAccountPublicAccessBlock\",\"Resource\":\"*\"}]}'\n" +
		"     aws organizations attach-policy --policy-id <p-id> --target-id <root-id>",
	Reads: orgReads(orgTreeReads, orgPolicyReads),
	Check: func(e *catalog.Eval) {
		if v := scpViewOf(e); v != nil {
			v.report(e, "s3:PutAccountPublicAccessBlock", v.guard(s3PABRequests, actionName))
		}
	},
	Fix: scpFix,
})
