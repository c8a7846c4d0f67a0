package controls

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

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
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 {
				return
			}
			a := p.Account
			category := p.Settings.CategoryOf(a.AccountID, a.Name)
			if category == "" {
				category = a.Category
			}
			want := p.Settings.Alias(a.AccountID, a.Name, category)
			// A scheme whose aliases its own pattern rejects would never converge.
			if re, err := regexp.Compile(p.Settings.AccountNamePattern); err != nil || !re.MatchString(want) {
				p.Here().Block("", "the naming scheme gives alias %q, which does not match audit.account_name_pattern %s: "+
					"change naming.account_alias or the pattern", want, p.Settings.AccountNamePattern)
				return
			}
			if cur := a.Global.Account.Aliases; len(cur) > 0 {
				// An account has at most one alias: creating another replaces it.
				p.Here().Update("alias", "account-alias", cur[0], want)
				return
			}
			p.Here().Create("alias", "account-alias", want)
		},
		Ops: map[string]catalog.Op{"alias": decodedOp(func(ctx context.Context, cfg aws.Config, alias string) error {
			return setAccountAlias(ctx, iam.NewFromConfig(cfg), alias)
		})},
	},
})

type aliasWriter interface {
	CreateAccountAlias(context.Context, *iam.CreateAccountAliasInput, ...func(*iam.Options)) (*iam.CreateAccountAliasOutput, error)
	ListAccountAliases(context.Context, *iam.ListAccountAliasesInput, ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
}

// setAccountAlias gives the account alias, replacing the one it has. Aliases
// are unique across AWS: EntityAlreadyExists is success only when the
// account itself already holds the alias (a re-run).
func setAccountAlias(ctx context.Context, c aliasWriter, alias string) error {
	_, err := c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(alias)})
	if !hasCode(err, "EntityAlreadyExists") {
		return err
	}
	out, lerr := c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	if slices.Contains(out.AccountAliases, alias) {
		return nil
	}
	return fmt.Errorf("alias %q belongs to another AWS account: change naming.account_alias: %w", alias, err)
}
