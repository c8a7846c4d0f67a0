package controls

import (
	"slices"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.sso-or-federation",
	Title:    "People sign in through IAM Identity Center or SAML federation",
	Stage:    "F5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "Central sign-in gives every person one identity with MFA, short-lived credentials and one place to remove them when they leave, " +
		"instead of an IAM user per person per account.",
	Steps: "Enable IAM Identity Center for the organization from the management account (console: IAM Identity Center > Enable), " +
		"connect your identity provider and assign permission sets to accounts; or add a SAML provider: " +
		"aws iam create-saml-provider --name IDP --saml-metadata-document file://metadata.xml",
	Reads: []string{"sso:ListInstances", "iam:ListSAMLProviders"},
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		switch in := activeInstance(s.IdentityCenter, ""); {
		case in != nil:
			e.Pass("", "IAM Identity Center instance %s is visible from this account", in.Arn)
		case len(s.SAMLProviders) > 0:
			e.Pass("", "SAML provider %s is configured", listOf(s.SAMLProviders))
		default:
			organizationWide(e)
		}
	},
})

// organizationWide judges an account with no sign-in setup of its own by
// the organization's: its Identity Center instance, seen from the management
// account or the delegated administrator, or Identity Center's trusted access.
func organizationWide(e *catalog.Eval) {
	if in := organizationInstance(e); in != nil {
		e.Pass("", "covered by the organization's IAM Identity Center instance %s", in.Arn)
		return
	}
	if org := e.Org(); org != nil && slices.Contains(org.TrustedServices, "sso.amazonaws.com") {
		e.Pass("", "covered by IAM Identity Center, which has trusted access to the organization")
		return
	}
	mgmt := e.Snap.ManagementAccountID()
	for i, r := range e.Snap.Errors {
		if r.AccountID == mgmt && r.Service == "sso" && r.Operation == "ListInstances" {
			e.ReadFailed("", &e.Snap.Errors[i])
			return
		}
	}
	e.Fail("", "no active IAM Identity Center instance (in the home region) and no SAML provider")
}

// organizationInstance returns the organization's Identity Center instance
// as seen from any assessed account (only the management account and the
// delegated administrator see it), or nil.
func organizationInstance(e *catalog.Eval) *snapshot.IdentityCenterInstance {
	mgmt := e.Snap.ManagementAccountID()
	if mgmt == "" {
		return nil
	}
	for _, a := range e.Snap.Accounts {
		if a.Global.IAM != nil {
			if in := activeInstance(a.Global.IAM.IdentityCenter, mgmt); in != nil {
				return in
			}
		}
	}
	return nil
}

// activeInstance returns the first active instance owned by owner ("" for
// any owner), or nil.
func activeInstance(list []snapshot.IdentityCenterInstance, owner string) *snapshot.IdentityCenterInstance {
	for i, in := range list {
		if (in.Status == "ACTIVE" || in.Status == "") && (owner == "" || in.OwnerAccountID == owner) {
			return &list[i]
		}
	}
	return nil
}
