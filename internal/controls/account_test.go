package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func TestAccountAliasAndSecurityContact(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"account"}}

	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "account.alias", "account.security-contact",
		"account.contact-details", "account.unused-regions-disabled")
	audittest.Expect(t, res, "account.alias", "*", "", "", catalog.StatusFail, "no account alias")
	audittest.Expect(t, res, "account.security-contact", "*", "", "", catalog.StatusFail, "no SECURITY")
	// Manual controls wait for an attestation.
	audittest.Expect(t, res, "account.contact-details", "*", "", "", catalog.StatusManual, "needs an attestation")
	audittest.Expect(t, res, "account.unused-regions-disabled", "*", "", "", catalog.StatusManual, "needs an attestation")

	if _, err := iam.NewFromConfig(cfg).CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("Bad_Alias")}); err != nil {
		t.Fatal(err)
	}
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "account.alias")
	audittest.Expect(t, res, "account.alias", "*", "", "", catalog.StatusFail, "does not match")

	if _, err := iam.NewFromConfig(cfg).DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("Bad_Alias")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(cfg).CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod-payments")}); err != nil {
		t.Fatal(err)
	}
	if _, err := account.NewFromConfig(cfg).PutAlternateContact(ctx, &account.PutAlternateContactInput{
		AlternateContactType: accounttypes.AlternateContactTypeSecurity, Name: aws.String("Sec"),
		EmailAddress: aws.String("sec@example.com"), PhoneNumber: aws.String("+15550100"), Title: aws.String("CISO"),
	}); err != nil {
		t.Fatal(err)
	}
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "account.alias", "account.security-contact")
	audittest.Expect(t, res, "account.alias", "*", "", "", catalog.StatusPass)
	audittest.Expect(t, res, "account.security-contact", "*", "", "", catalog.StatusPass, "sec@example.com")
}

func TestManualHints(t *testing.T) {
	snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Accounts: []*snapshot.Account{{
		AccountID: "111111111111", Email: "dev.person@gmail.com",
		Global: snapshot.Global{Account: &snapshot.AccountSettings{RegionOptStatus: map[string]string{"af-south-1": "ENABLED", "eu-west-1": "ENABLED_BY_DEFAULT", "me-south-1": "DISABLED"}}},
	}}}
	settings := catalog.Defaults()
	settings.AllowedRegions = []string{"eu-west-1"}
	settings.CompanyEmailDomains = []string{"example.com"}
	res := audittest.Audit(t, snap, settings, "account.unused-regions-disabled", "account.contact-details")
	audittest.Expect(t, res, "account.unused-regions-disabled", "*", "", "", catalog.StatusManual, "outside the allow-list: af-south-1")
	audittest.Expect(t, res, "account.contact-details", "*", "", "", catalog.StatusManual, "dev.person@gmail.com is not on the company domain")
}
