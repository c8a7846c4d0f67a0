package awsx_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func TestSessionsAgainstEmulator(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	org, err := fixture.CreateOrganization(ctx, moto.Config(t), []fixture.Member{{Name: "member", Email: "m@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := awsx.NewSessions(ctx, awsx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ss.Stats.TrackDuplicates(true)
	member := org.AccountID("member")

	cfg, err := ss.Account(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Account != member {
		t.Fatalf("assumed identity is in %s, want %s", *id.Account, member)
	}
	// The same account twice: one AssumeRole.
	if _, err := ss.Account(ctx, member); err != nil {
		t.Fatal(err)
	}
	if n := ss.Stats.PerOperation()["STS:AssumeRole"]; n != 1 {
		t.Fatalf("AssumeRole called %d times, want 1", n)
	}

	// Identical reads are reported as duplicates.
	api := iam.NewFromConfig(cfg)
	for i := 0; i < 2; i++ {
		if _, err := api.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if d := ss.Stats.Duplicates(); d[member+" us-east-1 IAM:ListUsers"] != 1 {
		t.Fatalf("duplicates = %v", d)
	}

	// An operation the emulator does not implement is "unsupported", at once.
	_, err = accessanalyzer.NewFromConfig(cfg).ListAnalyzers(ctx, &accessanalyzer.ListAnalyzersInput{})
	if c := awsx.Classify(err); c != awsx.ClassUnsupported {
		t.Fatalf("ListAnalyzers on moto: class %s (%v), want unsupported", c, err)
	}

}

// denyOne is STS that refuses to assume the role of one account, as AWS does
// when the role is missing or its trust policy excludes the caller.
type denyOne struct {
	stscreds.AssumeRoleAPIClient
	account string
}

func (d denyOne) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, opts ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	if strings.Contains(*in.RoleArn, d.account) {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole"}
	}
	return d.AssumeRoleAPIClient.AssumeRole(ctx, in, opts...)
}

func TestUnassumableAccountIsReported(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	org, err := fixture.CreateOrganization(ctx, cfg, []fixture.Member{{Name: "ok", Email: "ok@example.com"}, {Name: "locked", Email: "l@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	locked := org.AccountID("locked")
	ss, err := awsx.NewSessions(ctx, awsx.Options{AssumeRoleAPI: denyOne{sts.NewFromConfig(cfg), locked}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ss.Account(ctx, locked)
	if err == nil || awsx.Classify(err) != awsx.ClassAccessDenied || !strings.Contains(err.Error(), "OrganizationAccountAccessRole") {
		t.Fatalf("locked account: err = %v", err)
	}
	if _, err := ss.Account(ctx, org.AccountID("ok")); err != nil {
		t.Fatalf("other account: %v", err)
	}
}
