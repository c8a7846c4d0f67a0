package controls

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// TestApplyAccountSettings converges the per-account and per-region
// switches on the emulator: alias, account Block Public Access, EBS
// encryption by default and KMS rotation; then someone turns EBS encryption
// off in one region and the plan shows exactly that.
func TestApplyAccountSettings(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	// A scheme stricter than AWS's own rules, which the workload's alias misses.
	env.Settings.AccountNamePattern = `^baseline-[a-z0-9-]+$`
	work := env.Org.AccountID("workload")
	if _, err := iam.NewFromConfig(env.Config("workload", "us-east-1")).CreateAccountAlias(ctx,
		&iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-workload")}); err != nil {
		t.Fatal(err)
	}
	key, err := kms.NewFromConfig(env.Config("workload", "eu-west-1")).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"account.alias", "s3.account-public-access-block", "ebs.default-encryption", "kms.rotation"}
	p := env.Converge(t, ids...)

	if c := applytest.Changes(p, "account.alias|"+work); len(c) != 1 || c[0].Action != catalog.Update ||
		c[0].Before != "acme-workload" || c[0].After != "baseline-workload" {
		t.Fatalf("workload alias change: %+v", c)
	}
	if c := applytest.Changes(p, "kms.rotation"); len(c) != 1 || c[0].Resource != aws.ToString(key.KeyMetadata.Arn) {
		t.Fatalf("rotation changes: %+v, want the workload's key only", c)
	}
	if n := len(applytest.Changes(p, "ebs.default-encryption")); n != 10 {
		t.Fatalf("%d EBS changes, want one per account and region (10)", n)
	}

	if _, err := ec2.NewFromConfig(env.Config("workload", "eu-west-1")).DisableEbsEncryptionByDefault(ctx, &ec2.DisableEbsEncryptionByDefaultInput{}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, ids...)
	want := "ebs.default-encryption|" + work + "|eu-west-1|ebs-encryption-by-default|enable"
	if len(drift.Changes) != 1 || drift.Changes[0].ID != want || drift.Changes[0].Before != false || drift.Changes[0].After != true {
		t.Fatalf("plan after the drift: %+v, want only %s", drift.Changes, want)
	}
}

type fakeAliases struct {
	mine  []string
	taken bool // the alias asked for belongs to some account
}

func (f *fakeAliases) CreateAccountAlias(_ context.Context, in *iam.CreateAccountAliasInput, _ ...func(*iam.Options)) (*iam.CreateAccountAliasOutput, error) {
	if f.taken {
		return nil, &iamtypes.EntityAlreadyExistsException{Message: aws.String("The account alias " + aws.ToString(in.AccountAlias) + " already exists.")}
	}
	f.mine = []string{aws.ToString(in.AccountAlias)}
	return &iam.CreateAccountAliasOutput{}, nil
}

func (f *fakeAliases) ListAccountAliases(context.Context, *iam.ListAccountAliasesInput, ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error) {
	return &iam.ListAccountAliasesOutput{AccountAliases: f.mine}, nil
}

// Aliases are unique across AWS, which the emulator does not enforce.
func TestAliasOpTellsOursFromAnotherAccounts(t *testing.T) {
	ctx := context.Background()
	if err := setAccountAlias(ctx, &fakeAliases{mine: []string{"baseline-workload"}, taken: true}, "baseline-workload"); err != nil {
		t.Fatalf("re-run on our own alias: %v", err)
	}
	err := setAccountAlias(ctx, &fakeAliases{mine: []string{"old"}, taken: true}, "baseline-workload")
	if err == nil || !strings.Contains(err.Error(), "belongs to another AWS account") {
		t.Fatalf("alias of another account: %v", err)
	}
}

func TestPlanBlocksWhatApplyMustNotGuess(t *testing.T) {
	const acct = "111111111111"
	a := &snapshot.Account{AccountID: acct, Name: "Payments Prod",
		Global: snapshot.Global{Account: &snapshot.AccountSettings{}},
		Regions: map[string]*snapshot.Region{"us-east-1": {KMS: &snapshot.KMS{Keys: []snapshot.Key{
			{ID: "k1", Arn: "arn:aws:kms:us-east-1:111111111111:key/k1", Spec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS", State: "Disabled"},
			{ID: "k2", Arn: "arn:aws:kms:us-east-1:111111111111:key/k2", Spec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS", State: "Enabled"},
		}}}}}
	snap := &snapshot.Snapshot{CallerAccountID: acct, Accounts: []*snapshot.Account{a}}
	s := fixTestSettings()
	s.AccountNamePattern = `^[a-z]+-(prod|dev)$`
	p := planOn(t, snap, s, "account.alias", "kms.rotation")
	// The scheme's own alias fails its pattern; a disabled key stays disabled.
	if len(p.Changes) != 1 || p.Changes[0].Resource != "arn:aws:kms:us-east-1:111111111111:key/k2" {
		t.Fatalf("changes: %+v", p.Changes)
	}
	if len(p.Blocked) != 2 || !strings.Contains(p.Blocked[0].Reason, `"baseline-payments-prod"`) ||
		p.Blocked[1].Resource != "arn:aws:kms:us-east-1:111111111111:key/k1" {
		t.Fatalf("blocked: %+v", p.Blocked)
	}
}
