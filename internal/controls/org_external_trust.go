package controls

import (
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/trust"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "org.external-trust",
	Title:    "Nothing lets in a principal outside the organization",
	Stage:    "F5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.High,
	Rationale: "A role trust policy, a resource policy, a VPC peering connection or a Transit Gateway attachment that names " +
		"another account lets that account in, and nothing in the organization sees what is done from there: a vendor's " +
		"breach, a mistyped account id or a forgotten test becomes a way in. Access from outside should be rare, reviewed " +
		"and listed.",
	Steps: "Draw the map: baseline org trust --format html -o trust.html. Remove each grant to an outside account or to " +
		"anyone, or, when it is intended (a vendor, a partner), list the account in baseline.yaml audit.trusted_accounts.\n" +
		"Console: IAM > Roles > the role > Trust relationships; S3 > the bucket > Permissions > Bucket policy; KMS > the key > " +
		"Key policy; SNS > the topic / SQS > the queue > Access policy; Lambda > the function > Configuration > Permissions; " +
		"Secrets Manager > the secret > Resource permissions; VPC > Peering connections; VPC > Transit gateway attachments.\n" +
		"CLI: aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json\n" +
		"     aws s3api put-bucket-policy --bucket <bucket> --policy file://policy.json\n" +
		"     aws kms put-key-policy --key-id <key> --policy-name default --policy file://policy.json\n" +
		"     aws sns set-topic-attributes --topic-arn <topic> --attribute-name Policy --attribute-value file://policy.json\n" +
		"     aws sqs set-queue-attributes --queue-url <queue> --attributes file://attributes.json\n" +
		"     aws lambda remove-permission --function-name <function> --statement-id <sid>\n" +
		"     aws secretsmanager delete-resource-policy --secret-id <secret>\n" +
		"     aws ec2 delete-vpc-peering-connection --vpc-peering-connection-id <pcx>\n" +
		"     aws ec2 delete-transit-gateway-vpc-attachment --transit-gateway-attachment-id <attachment>",
	Reads: trust.Reads,
	Knob:  "audit.trusted_accounts",
	Check: func(e *catalog.Eval) {
		g := trust.BuildAccount(e.Snap, e.Settings, e.Account)
		for _, svc := range g.Missing[e.Account.AccountID] {
			e.NotCollected(svc)
		}
		// Resources whose policy was not read may grant anything.
		for i := range e.Snap.Errors {
			err := &e.Snap.Errors[i]
			if err.AccountID == e.Account.AccountID && err.Resource != "" && slices.Contains(trust.Reads, err.Service+":"+err.Operation) {
				e.ReadFailed(err.Resource, err)
			}
		}
		for _, u := range g.Unparsed {
			e.Errorf(grantResource(u.Kind, u.Region, u.Resource), "its %s cannot be read: %v", u.Kind, u.Err)
		}
		nodes := map[string]*trust.Node{}
		for i := range g.Nodes {
			nodes[g.Nodes[i].ID] = &g.Nodes[i]
		}
		var inside, allowed int
		for i := range g.Edges {
			ed := &g.Edges[i]
			to, res := nodes[ed.To], grantResource(ed.Kind, ed.Region, ed.Resource)
			switch {
			// Anyone is outside whatever the organization holds.
			case ed.External && !g.MembersKnown && (accountNode(to) || g.OrgID == ""):
				e.Errorf(res, "%s lets in %s, which may belong to the organization: its accounts were not all listed "+
					"(organizations:ListAccountsForParent from the management account)", grantSubject(ed), principalLabel(to))
			case ed.External:
				fix := "remove the grant, or list the account in audit.trusted_accounts if it is intended"
				if !accountNode(to) {
					fix = "remove the grant, or restrict it to the organization with an aws:PrincipalOrgID condition"
				}
				e.Fail(res, "%s lets in %s (%s), outside the organization: %s", grantSubject(ed), principalLabel(to), grantDetail(ed), fix)
			case to.Outside:
				allowed++
			default:
				inside++
			}
		}
		switch {
		case len(e.Findings()) > 0:
		case inside+allowed == 0:
			e.Pass("", "no role, resource policy or network connection lets in another account")
		default:
			e.Pass("", "no grant reaches outside the organization: %d within it, %d to allow-listed accounts", inside, allowed)
		}
	},
})

// grantResource is a finding's resource: the ARN, which the map leaves out
// for buckets.
func grantResource(kind trust.Kind, region, resource string) string {
	if kind == trust.BucketPolicy {
		return bucketARN(region, resource)
	}
	return resource
}

// grantSubject names what grants, for a reason.
func grantSubject(ed *trust.Edge) string {
	switch ed.Kind {
	case trust.RoleTrust:
		return "the trust policy of role " + ed.Name()
	case trust.Peering:
		return "VPC peering connection " + ed.Resource
	case trust.TransitGateway:
		return "Transit Gateway attachment " + ed.Resource
	}
	return "the " + string(ed.Kind) + " of " + ed.Name()
}

// accountNode reports whether a grantee is one account, rather than anyone
// or an organization.
func accountNode(n *trust.Node) bool { return n.ID != trust.Anyone && !strings.HasPrefix(n.ID, "o-") }

// principalLabel names a grantee: "account 999999999999", "anyone".
func principalLabel(n *trust.Node) string {
	if accountNode(n) {
		return "account " + n.ID
	}
	return n.Label()
}

// grantDetail is how the policy grants: the principals as written and the
// actions.
func grantDetail(ed *trust.Edge) string {
	d := strings.Join(ed.Principals, ", ")
	if len(ed.Actions) > 0 {
		d += "; " + listOf(ed.Actions)
	}
	return d
}
