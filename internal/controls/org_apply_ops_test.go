package controls

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// The ops the emulator cannot perform or show, on fakes of their narrow
// interfaces: Security Hub's designation (not implemented in moto),
// GuardDuty's (moto's does not reach Organizations), and the re-runs.

const secAccount = "222222222222"

type fakeGuardDuty struct{ admins, enabled []string }

func (f *fakeGuardDuty) ListOrganizationAdminAccounts(context.Context, *guardduty.ListOrganizationAdminAccountsInput, ...func(*guardduty.Options)) (*guardduty.ListOrganizationAdminAccountsOutput, error) {
	out := &guardduty.ListOrganizationAdminAccountsOutput{AdminAccounts: []gdtypes.AdminAccount{
		{AdminAccountId: aws.String("999999999999"), AdminStatus: gdtypes.AdminStatusDisableInProgress}}}
	for _, a := range f.admins {
		out.AdminAccounts = append(out.AdminAccounts, gdtypes.AdminAccount{AdminAccountId: aws.String(a), AdminStatus: gdtypes.AdminStatusEnabled})
	}
	return out, nil
}

func (f *fakeGuardDuty) EnableOrganizationAdminAccount(_ context.Context, in *guardduty.EnableOrganizationAdminAccountInput, _ ...func(*guardduty.Options)) (*guardduty.EnableOrganizationAdminAccountOutput, error) {
	if slices.Contains(f.admins, aws.ToString(in.AdminAccountId)) {
		return nil, apiErr("BadRequestException")
	}
	f.admins = append(f.admins, aws.ToString(in.AdminAccountId))
	f.enabled = append(f.enabled, aws.ToString(in.AdminAccountId))
	return &guardduty.EnableOrganizationAdminAccountOutput{}, nil
}

type fakeSecurityHub struct {
	admins, enabled []string
	listErr         error
}

func (f *fakeSecurityHub) ListOrganizationAdminAccounts(context.Context, *securityhub.ListOrganizationAdminAccountsInput, ...func(*securityhub.Options)) (*securityhub.ListOrganizationAdminAccountsOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	out := &securityhub.ListOrganizationAdminAccountsOutput{}
	for _, a := range f.admins {
		out.AdminAccounts = append(out.AdminAccounts, shtypes.AdminAccount{AccountId: aws.String(a), Status: shtypes.AdminStatusEnabled})
	}
	return out, nil
}

func (f *fakeSecurityHub) EnableOrganizationAdminAccount(_ context.Context, in *securityhub.EnableOrganizationAdminAccountInput, _ ...func(*securityhub.Options)) (*securityhub.EnableOrganizationAdminAccountOutput, error) {
	if slices.Contains(f.admins, aws.ToString(in.AdminAccountId)) {
		return nil, apiErr("InvalidInputException")
	}
	f.admins = append(f.admins, aws.ToString(in.AdminAccountId))
	f.enabled = append(f.enabled, aws.ToString(in.AdminAccountId))
	return &securityhub.EnableOrganizationAdminAccountOutput{}, nil
}

func TestDesignateServiceAdminsOnce(t *testing.T) {
	ctx := context.Background()
	d := delegation{AccountID: secAccount}
	gd := &fakeGuardDuty{}
	sh := &fakeSecurityHub{}
	for range 2 { // the second run is a re-run after a crash
		if err := designateGuardDuty(ctx, gd, d); err != nil {
			t.Fatal(err)
		}
		if err := designateSecurityHub(ctx, sh, d); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(gd.enabled, []string{secAccount}) || !slices.Equal(sh.enabled, []string{secAccount}) {
		t.Fatalf("designations: GuardDuty %v, Security Hub %v", gd.enabled, sh.enabled)
	}
	// An unreadable list is an error, not a blind designation.
	sh = &fakeSecurityHub{listErr: apiErr("AccessDeniedException")}
	if err := designateSecurityHub(ctx, sh, d); err == nil || len(sh.enabled) > 0 {
		t.Fatalf("err %v, enabled %v", err, sh.enabled)
	}
}

type fakeOrgWrites struct {
	err   error
	calls int
}

func (f *fakeOrgWrites) RegisterDelegatedAdministrator(context.Context, *organizations.RegisterDelegatedAdministratorInput, ...func(*organizations.Options)) (*organizations.RegisterDelegatedAdministratorOutput, error) {
	f.calls++
	return &organizations.RegisterDelegatedAdministratorOutput{}, f.err
}

func TestRegisterAdminIdempotent(t *testing.T) {
	ctx := context.Background()
	d := delegation{AccountID: secAccount, ServicePrincipal: "config.amazonaws.com"}
	if err := registerAdmin(ctx, &fakeOrgWrites{err: apiErr("AccountAlreadyRegisteredException")}, d); err != nil {
		t.Errorf("already registered: %v", err)
	}
	if err := registerAdmin(ctx, &fakeOrgWrites{err: apiErr("ConcurrentModificationException")}, d); !catalog.IsRetryable(err) {
		t.Errorf("concurrent modification: %v, want retryable", err)
	}
	if err := registerAdmin(ctx, &fakeOrgWrites{err: apiErr("ConstraintViolationException")}, d); err == nil || catalog.IsRetryable(err) {
		t.Errorf("constraint violation: %v, want a plain error", err)
	}
}

type fakeMover struct {
	parent string
	moves  int
}

func (f *fakeMover) ListOrganizationalUnitsForParent(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	return &organizations.ListOrganizationalUnitsForParentOutput{OrganizationalUnits: []orgtypes.OrganizationalUnit{
		{Id: aws.String("ou-prod"), Name: aws.String("Prod")}}}, nil
}

func (f *fakeMover) ListParents(context.Context, *organizations.ListParentsInput, ...func(*organizations.Options)) (*organizations.ListParentsOutput, error) {
	return &organizations.ListParentsOutput{Parents: []orgtypes.Parent{{Id: aws.String(f.parent)}}}, nil
}

func (f *fakeMover) MoveAccount(_ context.Context, in *organizations.MoveAccountInput, _ ...func(*organizations.Options)) (*organizations.MoveAccountOutput, error) {
	f.moves++
	f.parent = aws.ToString(in.DestinationParentId)
	return &organizations.MoveAccountOutput{}, nil
}

func TestMoveAccountOnlyFromTheRoot(t *testing.T) {
	ctx := context.Background()
	m := accountMove{AccountID: "333333333333", RootID: "r-root", OU: "prod"} // found whatever its case
	f := &fakeMover{parent: "r-root"}
	for range 2 {
		if err := moveAccount(ctx, f, m); err != nil {
			t.Fatal(err)
		}
	}
	if f.moves != 1 || f.parent != "ou-prod" {
		t.Fatalf("%d moves, parent %s", f.moves, f.parent)
	}
	// Someone moved it elsewhere since the plan: left there.
	f = &fakeMover{parent: "ou-other"}
	if err := moveAccount(ctx, f, m); err == nil || !strings.Contains(err.Error(), "plan again") || f.moves != 0 {
		t.Fatalf("err %v, %d moves", err, f.moves)
	}
}

type fakeAccessKeys struct {
	keys    []iamtypes.AccessKeyMetadata
	created int
}

func (f *fakeAccessKeys) ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	return &iam.ListAccessKeysOutput{AccessKeyMetadata: f.keys}, nil
}

func (f *fakeAccessKeys) CreateAccessKey(_ context.Context, in *iam.CreateAccessKeyInput, _ ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	f.created++
	f.keys = append(f.keys, iamtypes.AccessKeyMetadata{UserName: in.UserName, Status: iamtypes.StatusTypeActive})
	return &iam.CreateAccessKeyOutput{AccessKey: &iamtypes.AccessKey{AccessKeyId: aws.String("AKIAHONEY"),
		SecretAccessKey: aws.String("never-seen-again"), Status: iamtypes.StatusTypeActive, UserName: in.UserName}}, nil
}

func TestHoneytokenKeyOnce(t *testing.T) {
	ctx := context.Background()
	// An inactive key does not count: a key to plant must work.
	f := &fakeAccessKeys{keys: []iamtypes.AccessKeyMetadata{{Status: iamtypes.StatusTypeInactive}}}
	for range 2 {
		if err := ensureHoneytokenKey(ctx, f, honeytokenSpec{User: "ci-deploy"}); err != nil {
			t.Fatal(err)
		}
	}
	if f.created != 1 {
		t.Fatalf("%d keys created, want 1", f.created)
	}
}

type fakeAggregators struct{ err error }

func (f fakeAggregators) PutConfigurationAggregator(context.Context, *configservice.PutConfigurationAggregatorInput, ...func(*configservice.Options)) (*configservice.PutConfigurationAggregatorOutput, error) {
	return &configservice.PutConfigurationAggregatorOutput{}, f.err
}

// Config refuses a role or a delegation it has not seen yet: apply retries.
func TestPutAggregatorSettles(t *testing.T) {
	for _, code := range []string{"InvalidRoleException", "OrganizationAccessDeniedException"} {
		if err := putAggregator(context.Background(), fakeAggregators{apiErr(code)}, orgAggregator{Name: "org"}); !catalog.IsRetryable(err) {
			t.Errorf("%s: %v, want retryable", code, err)
		}
	}
}
