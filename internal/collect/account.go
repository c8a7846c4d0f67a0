package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "account", Run: func(ctx context.Context, t *Task) {
		collectAccount(ctx, t, account.NewFromConfig(t.Config), iam.NewFromConfig(t.Config))
	}})
}

// accountAPI is the read-only part of the Account Management API we call.
type accountAPI interface {
	GetAlternateContact(context.Context, *account.GetAlternateContactInput, ...func(*account.Options)) (*account.GetAlternateContactOutput, error)
}

// aliasAPI is the one IAM read that belongs to account settings.
type aliasAPI interface {
	ListAccountAliases(context.Context, *iam.ListAccountAliasesInput, ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
}

var contactTypes = []accounttypes.AlternateContactType{
	accounttypes.AlternateContactTypeSecurity, accounttypes.AlternateContactTypeOperations, accounttypes.AlternateContactTypeBilling,
}

func collectAccount(ctx context.Context, t *Task, acc accountAPI, ia aliasAPI) {
	s := &snapshot.AccountSettings{AlternateContacts: map[string]snapshot.Contact{}}
	contacts := make([]*snapshot.Contact, len(contactTypes))
	t.Fan(ctx, len(contactTypes)+1, func(ctx context.Context, i int) {
		if i == len(contactTypes) {
			out, err := ia.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
			if !t.Failed("iam:ListAccountAliases", err) {
				s.Aliases = append([]string{}, out.AccountAliases...)
			}
			return
		}
		out, err := acc.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: contactTypes[i]})
		switch {
		case awsx.IsNotFound(err):
		case t.Failed("GetAlternateContact", err):
		default:
			c := out.AlternateContact
			contacts[i] = &snapshot.Contact{Name: aws.ToString(c.Name), Email: aws.ToString(c.EmailAddress),
				Phone: aws.ToString(c.PhoneNumber), Title: aws.ToString(c.Title)}
		}
	})
	for i, c := range contacts {
		if c != nil {
			s.AlternateContacts[string(contactTypes[i])] = *c
		}
	}
	t.Account.Global.Account = s
}
