package controls

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
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
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			s := iamOf(p.Eval)
			if s == nil {
				return
			}
			want := desiredPasswordPolicy(s.PasswordPolicy)
			switch {
			case s.PasswordPolicy == nil:
				p.Here().Create("password-policy", "password-policy", want)
			case *s.PasswordPolicy != want:
				p.Here().Update("password-policy", "password-policy", *s.PasswordPolicy, want)
			}
		},
		Ops: map[string]catalog.Op{"password-policy": decodedOp(func(ctx context.Context, cfg aws.Config, want snapshot.PasswordPolicy) error {
			return setPasswordPolicy(ctx, iam.NewFromConfig(cfg), want)
		})},
	},
})

// desiredPasswordPolicy is the current policy raised to the baseline: what is
// already stricter (a longer minimum, an expiry) is kept.
func desiredPasswordPolicy(cur *snapshot.PasswordPolicy) snapshot.PasswordPolicy {
	want := snapshot.PasswordPolicy{MinimumLength: minPasswordLength, PasswordReusePrevention: minPasswordReuse,
		RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true, AllowUsersToChangePassword: true}
	if cur != nil {
		want.MinimumLength = max(want.MinimumLength, cur.MinimumLength)
		want.PasswordReusePrevention = max(want.PasswordReusePrevention, cur.PasswordReusePrevention)
		want.MaxPasswordAge, want.HardExpiry = cur.MaxPasswordAge, cur.HardExpiry
	}
	return want
}

type passwordPolicyWriter interface {
	UpdateAccountPasswordPolicy(context.Context, *iam.UpdateAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.UpdateAccountPasswordPolicyOutput, error)
}

func setPasswordPolicy(ctx context.Context, c passwordPolicyWriter, p snapshot.PasswordPolicy) error {
	in := &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength:      aws.Int32(p.MinimumLength),
		PasswordReusePrevention:    aws.Int32(p.PasswordReusePrevention),
		RequireSymbols:             p.RequireSymbols,
		RequireNumbers:             p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercase,
		RequireLowercaseCharacters: p.RequireLowercase,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword,
		HardExpiry:                 aws.Bool(p.HardExpiry),
	}
	if p.MaxPasswordAge > 0 {
		in.MaxPasswordAge = aws.Int32(p.MaxPasswordAge)
	}
	_, err := c.UpdateAccountPasswordPolicy(ctx, in)
	return err
}
