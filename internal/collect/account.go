package collect

import (
	"context"
	"strings"

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
	GetContactInformation(context.Context, *account.GetContactInformationInput, ...func(*account.Options)) (*account.GetContactInformationOutput, error)
	ListRegions(context.Context, *account.ListRegionsInput, ...func(*account.Options)) (*account.ListRegionsOutput, error)
}

// aliasAPI is the one IAM read that belongs to account settings.
type aliasAPI interface {
	ListAccountAliases(context.Context, *iam.ListAccountAliasesInput, ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
}

var contactTypes = []accounttypes.AlternateContactType{
	accounttypes.AlternateContactTypeSecurity, accounttypes.AlternateContactTypeOperations, accounttypes.AlternateContactTypeBilling,
}

// collectAccount makes its independent reads in parallel: one per alternate
// contact type, the alias, the primary contact and the regions' opt-in status.
func collectAccount(ctx context.Context, t *Task, acc accountAPI, ia aliasAPI) {
	s := &snapshot.AccountSettings{AlternateContacts: map[string]snapshot.Contact{}}
	contacts := make([]*snapshot.Contact, len(contactTypes))
	reads := []func(context.Context){
		func(ctx context.Context) {
			out, err := ia.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
			if !t.Failed("iam:ListAccountAliases", err) {
				s.Aliases = append([]string{}, out.AccountAliases...)
			}
		},
		func(ctx context.Context) { s.ContactInfo = contactInformation(ctx, t, acc) },
		func(ctx context.Context) { s.RegionOptStatus = regionOptStatus(ctx, t, acc) },
	}
	for i := range contactTypes {
		reads = append(reads, func(ctx context.Context) { contacts[i] = alternateContact(ctx, t, acc, contactTypes[i]) })
	}
	t.Fan(ctx, len(reads), func(ctx context.Context, i int) { reads[i](ctx) })
	for i, c := range contacts {
		if c != nil {
			s.AlternateContacts[string(contactTypes[i])] = *c
		}
	}
	t.Account.Global.Account = s
}

func alternateContact(ctx context.Context, t *Task, acc accountAPI, typ accounttypes.AlternateContactType) *snapshot.Contact {
	out, err := acc.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: typ})
	if awsx.IsNotFound(err) || t.Failed("GetAlternateContact", err) {
		return nil
	}
	c := out.AlternateContact
	return &snapshot.Contact{Name: aws.ToString(c.Name), Email: aws.ToString(c.EmailAddress),
		Phone: aws.ToString(c.PhoneNumber), Title: aws.ToString(c.Title)}
}

func contactInformation(ctx context.Context, t *Task, acc accountAPI) *snapshot.ContactInfo {
	out, err := acc.GetContactInformation(ctx, &account.GetContactInformationInput{})
	if awsx.IsNotFound(err) || t.Failed("GetContactInformation", err) || out.ContactInformation == nil {
		return nil
	}
	c := out.ContactInformation
	var address []string
	for _, l := range []*string{c.AddressLine1, c.AddressLine2, c.AddressLine3} {
		if v := aws.ToString(l); v != "" {
			address = append(address, v)
		}
	}
	return &snapshot.ContactInfo{
		FullName: aws.ToString(c.FullName), CompanyName: aws.ToString(c.CompanyName), Phone: aws.ToString(c.PhoneNumber),
		Address: strings.Join(address, ", "), City: aws.ToString(c.City), PostalCode: aws.ToString(c.PostalCode),
		CountryCode: aws.ToString(c.CountryCode), WebsiteURL: aws.ToString(c.WebsiteUrl),
	}
}

// regionOptStatus returns every region's opt-in status, or nil when the
// listing failed part-way: a partial map would pass regions off as unknown.
func regionOptStatus(ctx context.Context, t *Task, acc accountAPI) map[string]string {
	status := map[string]string{}
	p := account.NewListRegionsPaginator(acc, &account.ListRegionsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("ListRegions", err) {
			return nil
		}
		for _, r := range page.Regions {
			status[aws.ToString(r.RegionName)] = string(r.RegionOptStatus)
		}
	}
	return status
}
