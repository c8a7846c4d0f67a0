package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.root-hardware-mfa",
	Title:    "Root user has a hardware MFA device",
	Stage:    "F5",
	Kind:     catalog.Manual,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.High,
	CIS:      []string{"2.6"},
	Rationale: "A virtual MFA lives on a phone or laptop that can be cloned, lost or compromised together with the password; " +
		"a FIDO security key or hardware TOTP token kept in a safe cannot be phished or copied remotely.",
	Steps: "Sign in as the root user and assign a FIDO security key or hardware TOTP token (IAM > Security credentials > Assign MFA device), then remove any virtual device.\n" +
		"CLI check: aws iam list-virtual-mfa-devices --assignment-status Assigned shows no device whose User is the account's root ARN, " +
		"while aws iam get-account-summary --query SummaryMap.AccountMFAEnabled returns 1.\n" +
		"Attest: add iam.root-hardware-mfa for the account with the key's serial and where it is stored as evidence.",
	Reads: []string{"iam:GetAccountSummary", "iam:ListVirtualMFADevices"},
	Hint:  rootHardwareMFAHint,
})
