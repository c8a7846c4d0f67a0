package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "org.member",
	Title:    "Account is a member of an AWS Organization",
	Stage:    "F1",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.High,
	Rationale: "An organization is what makes a multi-account baseline possible: consolidated billing, SCP guardrails, " +
		"an organization trail, delegated security services and central account inventory. A stand-alone account " +
		"has none of them and every control must be set up in it by hand.",
	Steps: "Console: AWS Organizations > Create an organization (from the account that will be the management account), " +
		"then Add an AWS account > Invite, and accept the invitation in the member account.\n" +
		"CLI: aws organizations create-organization --feature-set ALL\n" +
		"     aws organizations invite-account-to-organization --target Id=<account-id>,Type=ACCOUNT\n" +
		"     (in the member) aws organizations accept-handshake --handshake-id <id>",
	Reads: []string{"organizations:DescribeOrganization", "organizations:ListAccountsForParent"},
	Check: func(e *catalog.Eval) {
		o := e.Org()
		switch {
		case o == nil:
			e.NotCollected("organizations")
		case !o.Member:
			e.Fail("", "the account is in no AWS Organization: create one, or have the organization's management account invite it")
		case e.IsManagement():
			e.Pass("", "management account of organization %s", o.ID)
		case e.Account.OUPath != "":
			e.Pass("", "member of organization %s, in %s", o.ID, e.Account.OUPath)
		case e.Account.AccountID == e.Snap.CallerAccountID:
			e.Pass("", "member of organization %s", o.ID)
		case !o.Full:
			e.Errorf("", "membership unknown: the organization's tree was not read (organizations:ListAccountsForParent from the management account)")
		case len(readErrorsOf(e.Snap, "", "organizations:ListAccountsForParent")) > 0:
			e.Errorf("", "not found in the tree of organization %s, but %s", o.ID, listOf(readErrorsOf(e.Snap, "", "organizations:ListAccountsForParent")))
		default:
			e.Fail("", "not in the tree of organization %s, the caller's: it belongs to another organization or to none", o.ID)
		}
	},
})
