package controls

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

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
	Knob:  "alerts.emails",
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
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 {
				return
			}
			if len(p.Settings.AlertEmails) == 0 {
				p.Here().Block("", "no alert email is configured: set alerts.emails in baseline.yaml, whose first address becomes the SECURITY contact")
				return
			}
			cur := p.Account.Global.Account.AlternateContacts["SECURITY"]
			// AWS requires a phone number: the security team's if one was
			// registered, else the account's primary contact line.
			phone := cur.Phone
			for _, a := range []*snapshot.Account{p.Account, p.Management()} {
				if phone == "" && a != nil && a.Global.Account != nil && a.Global.Account.ContactInfo != nil {
					phone = a.Global.Account.ContactInfo.Phone
				}
			}
			if phone == "" {
				reason := "the account's primary contact has no phone number"
				if err := failedReadIn(p.Snap, p.Account.AccountID, "", "account:GetContactInformation", ""); err != nil {
					reason = catalog.DescribeReadError(err)
				}
				p.Here().Block("", "the SECURITY contact needs a phone number and none is known (%s): register the contact by hand", reason)
				return
			}
			want := snapshot.Contact{Name: "Security team", Title: "Security", Email: p.Settings.AlertEmails[0], Phone: phone}
			if cur == (snapshot.Contact{}) {
				p.Here().Create("contact", "alternate-contact/SECURITY", want)
				return
			}
			p.Here().Update("contact", "alternate-contact/SECURITY", cur, want)
		},
		Ops: map[string]catalog.Op{"contact": decodedOp(func(ctx context.Context, cfg aws.Config, c snapshot.Contact) error {
			return putSecurityContact(ctx, account.NewFromConfig(cfg), c)
		})},
	},
})

type contactWriter interface {
	PutAlternateContact(context.Context, *account.PutAlternateContactInput, ...func(*account.Options)) (*account.PutAlternateContactOutput, error)
}

// putSecurityContact registers (or replaces) the account's own SECURITY contact.
func putSecurityContact(ctx context.Context, c contactWriter, ct snapshot.Contact) error {
	_, err := c.PutAlternateContact(ctx, &account.PutAlternateContactInput{
		AlternateContactType: accounttypes.AlternateContactTypeSecurity,
		Name:                 aws.String(ct.Name), Title: aws.String(ct.Title),
		EmailAddress: aws.String(ct.Email), PhoneNumber: aws.String(ct.Phone),
	})
	return err
}
