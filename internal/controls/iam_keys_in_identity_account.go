package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.keys-in-identity-account",
	Title:    "IAM users with access keys exist only in the identity account",
	Stage:    "F5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "Long-lived access keys are the credential most often leaked; keeping the few that must exist in one identity account, " +
		"from which they assume roles elsewhere, puts them under one set of eyes, alarms and rotation rules.",
	Steps: "Recreate the workload's access as a role assumed from the identity account (or use IAM Roles Anywhere, OIDC federation or an instance role), " +
		"then delete the keys here: aws iam delete-access-key --user-name USER --access-key-id KEY.\n" +
		"Designate the identity account in baseline.yaml (organization.identity_account).",
	Reads: credentialReportReads,
	Knob:  "organization.identity_account",
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		var holders []string
		for _, u := range iamUsers(s) {
			if (u.AccessKeys[0].Active || u.AccessKeys[1].Active) && !e.Settings.IsHoneytoken(u.User) {
				holders = append(holders, u.User)
			}
		}
		identity := e.Designated("identity")
		switch {
		case len(holders) == 0:
			e.Pass("", "no IAM user has an active access key")
		case identity == nil:
			e.Fail("", "users %s have active access keys and no identity account is designated (set organization.identity_account)", listOf(holders))
		case identity.AccountID == e.Account.AccountID:
			e.Pass("", "this is the identity account; users with active access keys: %s", listOf(holders))
		default:
			e.Fail("", "users %s have active access keys outside the identity account %s", listOf(holders), accountLabel(identity))
		}
	},
})
