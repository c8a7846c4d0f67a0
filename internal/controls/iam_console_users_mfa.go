package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:        "iam.console-users-mfa",
	Title:     "Every IAM user with a console password has MFA",
	Stage:     "F5",
	Kind:      catalog.Detective,
	Scope:     catalog.ScopeResource,
	Unit:      catalog.PerAccount,
	Severity:  catalog.High,
	CIS:       []string{"2.10"},
	Rationale: "A password alone is phished, reused and guessed; MFA is what stops a leaked console password from becoming a signed-in attacker.",
	Steps: "Console: IAM > Users > USER > Security credentials > Assign MFA device (or remove the console password if the user does not need one).\n" +
		"CLI: aws iam create-virtual-mfa-device --virtual-mfa-device-name USER --outfile qr.png --bootstrap-method QRCodePNG && " +
		"aws iam enable-mfa-device --user-name USER --serial-number ARN --authentication-code1 CODE1 --authentication-code2 CODE2; " +
		"or aws iam delete-login-profile --user-name USER",
	Reads: credentialReportReads,
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		seen := false
		for _, u := range iamUsers(s) {
			if !u.PasswordEnabled {
				continue
			}
			seen = true
			if u.MFAActive {
				e.Pass(u.Arn, "user %s has a console password and MFA", u.User)
			} else {
				e.Fail(u.Arn, "user %s has a console password and no MFA device: assign one or delete the login profile", u.User)
			}
		}
		if !seen {
			e.Pass("", "no IAM user has a console password")
		}
	},
})
