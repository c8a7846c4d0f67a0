package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// The baseline's password policy: CIS 2.8 and 2.9 plus every character class.
const (
	minPasswordLength = 14
	minPasswordReuse  = 24
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.password-policy",
	Title:    "Password policy requires long, fresh passwords of every character class",
	Stage:    "F5",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	CIS:      []string{"2.8", "2.9"},
	Rationale: "Without a policy IAM accepts 8-character passwords and their endless reuse; length and reuse prevention " +
		"are what resist guessing and credential stuffing for the IAM users that still sign in to the console.",
	Steps: fmt.Sprintf("Console: IAM > Account settings > Password policy > Edit: minimum length %d, prevent reuse of %d passwords, require uppercase, lowercase, numbers and symbols.\n"+
		"CLI: aws iam update-account-password-policy --minimum-password-length %d --password-reuse-prevention %d "+
		"--require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols --allow-users-to-change-password",
		minPasswordLength, minPasswordReuse, minPasswordLength, minPasswordReuse),
	Reads: []string{"iam:GetAccountPasswordPolicy"},
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		p := s.PasswordPolicy
		if p == nil {
			e.Fail("", "no password policy is set: IAM accepts 8-character passwords and unlimited reuse")
			return
		}
		var short []string
		if p.MinimumLength < minPasswordLength {
			short = append(short, fmt.Sprintf("minimum length is %d, not at least %d", p.MinimumLength, minPasswordLength))
		}
		if p.PasswordReusePrevention < minPasswordReuse {
			short = append(short, fmt.Sprintf("reuse prevention remembers %d passwords, not %d", p.PasswordReusePrevention, minPasswordReuse))
		}
		for _, c := range []struct {
			required bool
			class    string
		}{{p.RequireUppercase, "uppercase letters"}, {p.RequireLowercase, "lowercase letters"}, {p.RequireNumbers, "numbers"}, {p.RequireSymbols, "symbols"}} {
			if !c.required {
				short = append(short, c.class+" are not required")
			}
		}
		if len(short) > 0 {
			e.Fail("", "password policy falls short: %s", strings.Join(short, "; "))
			return
		}
		e.Pass("", "password policy requires %d characters, remembers %d passwords and requires every character class", p.MinimumLength, p.PasswordReusePrevention)
	},
})
