package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.root-mfa",
	Title:    "Root user has MFA",
	Stage:    "F5",
	Kind:     catalog.Manual,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Critical,
	CIS:      []string{"2.5"},
	Rationale: "The root user can do everything, including closing the account and removing every other safeguard; " +
		"a stolen or guessed root password without MFA is a total loss of the account.",
	Steps: "Sign in as the root user and assign an MFA device (IAM > Security credentials > Multi-factor authentication > Assign MFA device).\n" +
		"Member accounts whose root credentials were removed with IAM centralized root access satisfy this control: attest that instead.\n" +
		"CLI check (1 = root MFA on): aws iam get-account-summary --query SummaryMap.AccountMFAEnabled\n" +
		"Attest: add iam.root-mfa for the account with the device type and who holds it as evidence.",
	Reads: []string{"iam:GetAccountSummary"},
	Hint:  rootMFAHint,
})
