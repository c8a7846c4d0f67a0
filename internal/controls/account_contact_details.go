package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "account.contact-details",
	Title:    "Account contact details are current",
	Stage:    "F1",
	Kind:     catalog.Manual,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	CIS:      []string{"2.2"},
	Rationale: "AWS contacts the account's email and phone about abuse, compromise and billing problems, and the " +
		"root email can reset the root password. An address on the company's domain that reaches a team " +
		"(a distribution list), not one person's mailbox, is answered and cannot be lost when someone leaves.",
	Steps: "Check that the root email is a distribution list on the company domain and that the primary contact " +
		"(name, address, phone) is current, then attest it.\n" +
		"Console: Account > Contact information > Edit; root email: Account > Account settings > Edit (signed in as root).\n" +
		"CLI: aws account get-contact-information; aws account put-contact-information --contact-information " +
		"FullName=...,AddressLine1=...,City=...,PostalCode=...,CountryCode=...,PhoneNumber=...\n" +
		"Attest: add an entry for account.contact-details (account id or *) to the attestation file.",
	Reads: []string{"account:GetContactInformation"},
	Knob:  "organization.company_email_domains",
	Hint: func(e *catalog.Eval) string {
		email := e.Account.Email
		if email == "" || len(e.Settings.CompanyEmailDomains) == 0 {
			return ""
		}
		_, domain, _ := strings.Cut(email, "@")
		for _, d := range e.Settings.CompanyEmailDomains {
			if strings.EqualFold(domain, d) {
				return ""
			}
		}
		return "root email " + email + " is not on the company domain " + strings.Join(e.Settings.CompanyEmailDomains, ", ")
	},
})
