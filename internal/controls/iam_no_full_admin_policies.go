package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.no-full-admin-policies",
	Title:    "No customer policy allows every action on every resource",
	Stage:    "M5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.High,
	CIS:      []string{"2.16"},
	Rationale: "A home-made \"*\" on \"*\" policy hides full administrator rights behind an innocent name and spreads them wherever it is attached; " +
		"least privilege starts with granting only the actions a job needs (AdministratorAccess, when truly needed, is at least recognisable).",
	Steps: "Replace the statement with the actions and resources actually used (IAM Access Analyzer can generate a policy from CloudTrail activity), " +
		"or detach the policy and use AdministratorAccess through a tightly held role.\n" +
		"Console: IAM > Policies > POLICY > Edit, or IAM > Roles/Users/Groups > NAME > Permissions for inline policies.\n" +
		"CLI: aws iam create-policy-version --policy-arn ARN --policy-document file://least-privilege.json --set-as-default; " +
		"aws iam delete-role-policy --role-name ROLE --policy-name NAME",
	Reads: authDetailsReads,
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		for _, p := range s.Policies {
			grants, err := fullAdminGrants(p.Document)
			switch {
			case err != nil:
				e.Errorf(p.Arn, "policy %s: %v", p.Name, err)
			case len(grants) > 0:
				e.Fail(p.Arn, "policy %s (attached %d times): %s", p.Name, p.AttachmentCount, strings.Join(grants, "; "))
			default:
				e.Pass(p.Arn, "policy %s grants no full administrator access", p.Name)
			}
		}
		inline := 0
		check := func(kind, name, arn string, docs map[string]string) {
			var grants []string
			for _, pol := range sortedKeys(docs) {
				inline++
				g, err := fullAdminGrants(docs[pol])
				if err != nil {
					e.Errorf(arn, "inline policy %s of %s %s: %v", pol, kind, name, err)
					continue
				}
				for _, how := range g {
					grants = append(grants, fmt.Sprintf("inline policy %s: %s", pol, how))
				}
			}
			if len(grants) > 0 {
				e.Fail(arn, "%s %s: %s", kind, name, strings.Join(grants, "; "))
			}
		}
		for _, u := range s.Users {
			check("user", u.Name, u.Arn, u.InlinePolicies)
		}
		for _, g := range s.Groups {
			check("group", g.Name, g.Arn, g.InlinePolicies)
		}
		for _, r := range s.Roles {
			// Service-linked roles' policies are AWS's, not the customer's.
			if !r.ServiceLinked() {
				check("role", r.Name, r.Arn, r.InlinePolicies)
			}
		}
		if len(e.Findings()) == 0 {
			e.Pass("", "none of the %d customer-managed and %d inline policies grants full administrator access", len(s.Policies), inline)
		}
	},
})
