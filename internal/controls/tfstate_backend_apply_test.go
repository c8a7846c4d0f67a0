package controls

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgettypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// TestApplyBudgetsAndTerraformState converges the budgets and, in the
// shared-services account, the Terraform backend on the emulator; then
// someone suspends the state bucket's versioning and the plan shows that.
func TestApplyBudgetsAndTerraformState(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	mgmt, shared := env.Org.AccountID("management"), env.Org.AccountID("shared-services")
	ids := []string{"budgets.alarm", "tfstate.backend"}
	p := env.Converge(t, ids...)
	if n := len(applytest.Changes(p, "budgets.alarm")); n != 5 {
		t.Fatalf("%d budgets planned, want one per account", n)
	}
	if n := len(applytest.Changes(p, "tfstate.backend|"+shared)); n != 2 || len(applytest.Changes(p, "tfstate.backend")) != 2 {
		t.Fatalf("Terraform backend changes: %+v, want the bucket and the table of the shared-services account", p.Changes)
	}

	// The management account's budget holds its own cost, not the organization's.
	b, err := budgets.NewFromConfig(env.Config("management", "us-east-1")).DescribeBudget(ctx,
		&budgets.DescribeBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String(budgetName(env.Settings))})
	if err != nil {
		t.Fatal(err)
	}
	if x := b.Budget.FilterExpression; x == nil || x.Dimensions == nil || !slices.Equal(x.Dimensions.Values, []string{mgmt}) {
		t.Fatalf("management budget filter: %+v", x)
	}

	bucket := aws.String(tfStateBucket(env.Settings, shared))
	api := s3.NewFromConfig(env.Config("shared-services", "us-east-1"), awsx.S3Addressing)
	pol, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), "aws:SecureTransport") {
		t.Fatalf("state bucket policy %v (%v), want TLS only", aws.ToString(pol.Policy), err)
	}
	table, err := dynamodb.NewFromConfig(env.Config("shared-services", "us-east-1")).DescribeTable(ctx,
		&dynamodb.DescribeTableInput{TableName: aws.String(tfLockTable(env.Settings))})
	if err != nil {
		t.Fatal(err)
	}
	if bs := table.Table.BillingModeSummary; bs == nil || bs.BillingMode != "PAY_PER_REQUEST" {
		t.Fatalf("lock table billing: %+v", bs)
	}

	if _, err := api.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, ids...)
	if len(drift.Changes) != 1 {
		t.Fatalf("plan after the drift: %+v", drift.Changes)
	}
	c := drift.Changes[0]
	before, _ := catalog.Decode[bucketFix](c.Before)
	after, _ := catalog.Decode[bucketFix](c.After)
	if c.Op != "bucket-versioning" || before.Versioning != "Suspended" || !reflect.DeepEqual(after, bucketFix{Bucket: *bucket, Versioning: "Enabled"}) {
		t.Fatalf("drift change: %s %+v → %+v, want versioning Suspended → Enabled only", c.Op, before, after)
	}
	env.Apply(t, drift)
	if again := env.Plan(t, ids...); !again.Empty() {
		t.Fatalf("still planned: %+v", again.Changes)
	}
}

func TestPlanTerraformStateKeepsWhatItCannotFix(t *testing.T) {
	const shared = "111111111111"
	s := fixTestSettings()
	s.SharedServicesAccount = shared
	b := snapshot.Bucket{Name: "acme-tfstate", Region: "eu-west-1", Versioning: "Enabled"}
	snap := &snapshot.Snapshot{CallerAccountID: shared, Accounts: []*snapshot.Account{{AccountID: shared,
		Global: snapshot.Global{S3: &snapshot.S3{Buckets: []snapshot.Bucket{b}}},
		Regions: map[string]*snapshot.Region{
			"us-east-1": {DynamoDB: &snapshot.DynamoDB{Tables: []snapshot.Table{{Name: tfLockTable(s), HashKey: "id"}}}},
			"eu-west-1": {DynamoDB: &snapshot.DynamoDB{}},
		}}}}
	p := planOn(t, snap, s, "tfstate.backend")
	// The existing state bucket is encrypted where it is, not replaced; a
	// table of the lock table's name but another key cannot be changed.
	if len(p.Changes) != 1 || p.Changes[0].Region != "eu-west-1" || p.Changes[0].Resource != bucketARN("eu-west-1", "acme-tfstate") {
		t.Fatalf("changes: %+v", p.Changes)
	}
	if want, _ := catalog.Decode[bucketFix](p.Changes[0].After); p.Changes[0].Op != "bucket-encryption" ||
		!reflect.DeepEqual(want, bucketFix{Bucket: "acme-tfstate", Encryption: "AES256"}) {
		t.Fatalf("bucket change: %s %+v", p.Changes[0].Op, want)
	}
	if len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0].Reason, `hash key "id"`) {
		t.Fatalf("blocked: %+v", p.Blocked)
	}
}

type fakeBudget struct {
	exists        bool
	notifications []budgettypes.Notification
}

func (f *fakeBudget) CreateBudget(_ context.Context, in *budgets.CreateBudgetInput, _ ...func(*budgets.Options)) (*budgets.CreateBudgetOutput, error) {
	if f.exists {
		return nil, &budgettypes.DuplicateRecordException{Message: aws.String("budget exists")}
	}
	f.exists = true
	for _, n := range in.NotificationsWithSubscribers {
		f.notifications = append(f.notifications, *n.Notification)
	}
	return &budgets.CreateBudgetOutput{}, nil
}

func (f *fakeBudget) DescribeNotificationsForBudget(context.Context, *budgets.DescribeNotificationsForBudgetInput, ...func(*budgets.Options)) (*budgets.DescribeNotificationsForBudgetOutput, error) {
	return &budgets.DescribeNotificationsForBudgetOutput{Notifications: f.notifications}, nil
}

func (f *fakeBudget) CreateNotification(_ context.Context, in *budgets.CreateNotificationInput, _ ...func(*budgets.Options)) (*budgets.CreateNotificationOutput, error) {
	if len(in.Subscribers) == 0 {
		return nil, awsErr("InvalidParameterException", "a notification needs a subscriber")
	}
	f.notifications = append(f.notifications, *in.Notification)
	return &budgets.CreateNotificationOutput{}, nil
}

// A budget whose alerts were deleted by hand gets back the ones it lacks;
// the emulator would add duplicates where AWS refuses them.
func TestEnsureBudgetAddsOnlyMissingAlerts(t *testing.T) {
	want := budgetSpec{Name: "baseline-monthly-cost", LimitUSD: 100, Notifications: budgetAlerts, Subscribers: []string{"a@example.com"}}
	f := &fakeBudget{}
	if err := ensureBudget(context.Background(), f, "111111111111", want); err != nil {
		t.Fatal(err)
	}
	f.notifications = f.notifications[1:]
	for range 2 {
		if err := ensureBudget(context.Background(), f, "111111111111", want); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.notifications) != 2 {
		t.Fatalf("notifications: %+v, want the two alerts once each", f.notifications)
	}
}
