package controls

import (
	"regexp"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "account.alias",
	Title:    "Account alias is set and follows the naming scheme",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Low,
	Rationale: "A consistent, meaningful alias tells people which account they are signed in to " +
		"and makes sign-in URLs recognisable, which avoids changes made in the wrong account.",
	Steps: "Console: IAM > Dashboard > AWS Account > Account Alias > Create.\n" +
		"CLI: aws iam create-account-alias --account-alias <company>-<category>-<name>",
	Reads: []string{"iam:ListAccountAliases"},
	Knob:  "audit.account_name_pattern",
	Check: func(e *catalog.Eval) {
		s := e.Account.Global.Account
		if s == nil {
			e.NotCollected("account")
			return
		}
		if len(s.Aliases) == 0 {
			e.Fail("", "no account alias is set")
			return
		}
		re, err := regexp.Compile(e.Settings.AccountNamePattern)
		if err != nil {
			e.Errorf("", "naming scheme %q is not a valid regular expression: %v", e.Settings.AccountNamePattern, err)
			return
		}
		alias := s.Aliases[0]
		if !re.MatchString(alias) {
			e.Fail("", "alias %q does not match the naming scheme %s", alias, e.Settings.AccountNamePattern)
			return
		}
		e.Pass("", "alias %q matches the naming scheme", alias)
	},
})
