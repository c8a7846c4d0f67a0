package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:       "account.security-contact",
	Title:    "Security alternate contact is registered",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	CIS:      []string{"2.3"},
	Rationale: "AWS sends abuse reports and security notifications to the security contact; " +
		"without one they reach the root email only, which nobody may read.",
	Steps: "Console: Account > Alternate contacts > Security > Edit.\n" +
		"CLI: aws account put-alternate-contact --alternate-contact-type SECURITY " +
		"--name 'Security team' --email-address security@example.com --phone-number '+1-555-0100' --title 'Security'",
	Reads: []string{"account:GetAlternateContact"},
	Check: func(e *catalog.Eval) {
		s := e.Account.Global.Account
		if s == nil {
			e.NotCollected("account")
			return
		}
		c, ok := s.AlternateContacts["SECURITY"]
		if !ok || c.Email == "" {
			e.Fail("", "no SECURITY alternate contact is registered")
			return
		}
		e.Pass("", "security contact %s <%s>", c.Name, c.Email)
	},
})
