package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

type denyAccount struct{}

func (denyAccount) GetAlternateContact(context.Context, *account.GetAlternateContactInput, ...func(*account.Options)) (*account.GetAlternateContactOutput, error) {
	return nil, errAccessDenied
}

func (denyAccount) GetContactInformation(context.Context, *account.GetContactInformationInput, ...func(*account.Options)) (*account.GetContactInformationOutput, error) {
	return nil, errAccessDenied
}

func (denyAccount) ListRegions(context.Context, *account.ListRegionsInput, ...func(*account.Options)) (*account.ListRegionsOutput, error) {
	return nil, errAccessDenied
}

type denyAliases struct{}

func (denyAliases) ListAccountAliases(context.Context, *iam.ListAccountAliasesInput, ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error) {
	return nil, errAccessDenied
}

func TestAccountCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "account", "")
	collectAccount(context.Background(), task, denyAccount{}, denyAliases{})
	ops := map[string]int{}
	for _, e := range snap().Errors {
		ops[e.Service+":"+e.Operation]++
		if e.Class != "access_denied" {
			t.Errorf("class = %s", e.Class)
		}
	}
	want := map[string]int{"account:GetAlternateContact": 3, "iam:ListAccountAliases": 1,
		"account:GetContactInformation": 1, "account:ListRegions": 1}
	for op, n := range want {
		if ops[op] != n {
			t.Fatalf("recorded errors = %v, want %v", ops, want)
		}
	}
	s := task.Account.Global.Account
	if s.ContactInfo != nil || s.RegionOptStatus != nil {
		t.Fatalf("denied reads left data: %+v", s)
	}
}

// accountData answers the reads moto does not implement (contact
// information, region opt-in), with the region list on two pages.
type accountData struct{ denyAccount }

func (accountData) GetContactInformation(context.Context, *account.GetContactInformationInput, ...func(*account.Options)) (*account.GetContactInformationOutput, error) {
	return &account.GetContactInformationOutput{ContactInformation: &accounttypes.ContactInformation{
		FullName: aws.String("Ops Team"), AddressLine1: aws.String("1 Main St"), AddressLine2: aws.String("Floor 2"),
		City: aws.String("Springfield"), CountryCode: aws.String("US"), PhoneNumber: aws.String("+15550100"), PostalCode: aws.String("12345"),
	}}, nil
}

func (accountData) ListRegions(_ context.Context, in *account.ListRegionsInput, _ ...func(*account.Options)) (*account.ListRegionsOutput, error) {
	if in.NextToken == nil {
		return &account.ListRegionsOutput{NextToken: aws.String("p2"), Regions: []accounttypes.Region{
			{RegionName: aws.String("us-east-1"), RegionOptStatus: accounttypes.RegionOptStatusEnabledByDefault},
		}}, nil
	}
	return &account.ListRegionsOutput{Regions: []accounttypes.Region{
		{RegionName: aws.String("af-south-1"), RegionOptStatus: accounttypes.RegionOptStatusEnabled},
		{RegionName: aws.String("ap-east-1"), RegionOptStatus: accounttypes.RegionOptStatusDisabled},
	}}, nil
}

func TestAccountCollectorReadsContactAndRegions(t *testing.T) {
	task, _ := fakeTask(t, "account", "")
	collectAccount(context.Background(), task, accountData{}, denyAliases{})
	s := task.Account.Global.Account
	if c := s.ContactInfo; c == nil || c.FullName != "Ops Team" || c.Address != "1 Main St, Floor 2" || c.CountryCode != "US" {
		t.Fatalf("contact info = %+v", s.ContactInfo)
	}
	want := map[string]string{"us-east-1": "ENABLED_BY_DEFAULT", "af-south-1": "ENABLED", "ap-east-1": "DISABLED"}
	if len(s.RegionOptStatus) != len(want) {
		t.Fatalf("regions = %v, want %v", s.RegionOptStatus, want)
	}
	for r, st := range want {
		if s.RegionOptStatus[r] != st {
			t.Fatalf("regions = %v, want %v", s.RegionOptStatus, want)
		}
	}
}

func TestAliasReadIsTheAccountCollectors(t *testing.T) {
	if got := ServicesFor([]string{"iam:ListAccountAliases"}); !slices.Equal(got, []string{"account"}) {
		t.Fatalf("ServicesFor(iam:ListAccountAliases) = %v, want the account collector", got)
	}
	if got := ServicesFor([]string{"iam:GetAccountAuthorizationDetails", "sso:ListInstances"}); !slices.Equal(got, []string{"iam"}) {
		t.Fatalf("ServicesFor(iam reads) = %v", got)
	}
}
