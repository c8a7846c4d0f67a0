package collect

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// denyAssume refuses the member role of one account, as AWS does when the
// role is missing or does not trust the caller (moto never refuses).
type denyAssume struct {
	stscreds.AssumeRoleAPIClient
	account string
}

func (d denyAssume) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, opts ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	if strings.Contains(*in.RoleArn, ":"+d.account+":") {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: sts:AssumeRole"}
	}
	return d.AssumeRoleAPIClient.AssumeRole(ctx, in, opts...)
}

func TestUnreachableAccountDoesNotStopTheOthers(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	org, err := fixture.CreateOrganization(ctx, cfg, []fixture.Member{{Name: "a", Email: "a@example.com"}, {Name: "locked", Email: "l@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	locked := org.AccountID("locked")
	ss, err := awsx.NewSessions(ctx, awsx.Options{AssumeRoleAPI: denyAssume{sts.NewFromConfig(cfg), locked}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Run(ctx, ss, Options{Org: true, Regions: []string{"us-east-1"}, Services: []string{"account"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range snap.Accounts {
		switch a.AccountID {
		case locked:
			if !strings.Contains(a.Unreachable, "AccessDenied") {
				t.Errorf("locked account: Unreachable = %q", a.Unreachable)
			}
		default:
			if a.Unreachable != "" || a.Global.Account == nil {
				t.Errorf("account %s was not collected: %+v", a.AccountID, a)
			}
		}
	}
	found := false
	for _, e := range snap.Errors {
		if e.AccountID == locked && e.Service == "sts" && e.Operation == "AssumeRole" && e.Class == "access_denied" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no sts:AssumeRole error recorded: %+v", snap.Errors)
	}
}
