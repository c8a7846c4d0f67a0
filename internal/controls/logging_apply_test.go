package controls_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// makeBucket creates a bucket by hand in account name and region.
func makeBucket(t *testing.T, env *applytest.Env, name, region, bucket string) *s3.Client {
	t.Helper()
	api := s3.NewFromConfig(env.Config(name, region), awsx.S3Addressing)
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := api.CreateBucket(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return api
}

func loggingTarget(t *testing.T, api *s3.Client, bucket string) string {
	t.Helper()
	out, err := api.GetBucketLogging(context.Background(), &s3.GetBucketLoggingInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if out.LoggingEnabled == nil {
		return ""
	}
	return aws.ToString(out.LoggingEnabled.TargetBucket)
}

func TestApplyAccessLogBuckets(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	work, shared := env.Org.AccountID("workload"), env.Org.AccountID("shared-services")
	app := makeBucket(t, env, "workload", "us-east-1", "app-"+work)
	appEU := makeBucket(t, env, "workload", "eu-west-1", "app-eu-"+work)
	// shared-services already has an access-log bucket in us-east-1: adopted.
	corp := makeBucket(t, env, "shared-services", "us-east-1", "corp-logs-"+shared)
	if _, err := corp.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("corp-logs-" + shared), Policy: aws.String(`{"Version":"2012-10-17",` +
		`"Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::corp-logs-` + shared + `/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	makeBucket(t, env, "shared-services", "us-east-1", "corp-app-"+shared)

	p := env.Converge(t, "s3.access-log-bucket")
	created := 0
	for _, c := range p.Changes {
		if c.Op == "bucket" {
			created++
		}
	}
	if n := created; n != 9 {
		t.Errorf("%d access-log buckets created, want one per account and region but the adopted one (9)", n)
	}
	for bucket, api := range map[string]*s3.Client{"app-" + work: app, "app-eu-" + work: appEU} {
		region := map[bool]string{true: "eu-west-1", false: "us-east-1"}[strings.HasPrefix(bucket, "app-eu")]
		if got, want := loggingTarget(t, api, bucket), "baseline-s3-access-logs-"+work+"-"+region; got != want {
			t.Errorf("%s logs to %q, want %s (same account and region)", bucket, got, want)
		}
	}
	if got := loggingTarget(t, corp, "corp-app-"+shared); got != "corp-logs-"+shared {
		t.Errorf("corp-app logs to %q, want the adopted corp-logs", got)
	}
}

func TestApplyInventory(t *testing.T) {
	env := applytest.NewOrg(t)
	la := env.Org.AccountID("log-archive")
	old := makeBucket(t, env, "log-archive", "eu-west-1", "archive-"+la)

	p := env.Converge(t, "s3.inventory")
	if n := len(p.Changes); n != 3 {
		t.Errorf("%d changes, want an inventory bucket per region and the old bucket's inventory (3): %+v", n, p.Changes)
	}
	out, err := old.GetBucketInventoryConfiguration(context.Background(), &s3.GetBucketInventoryConfigurationInput{
		Bucket: aws.String("archive-" + la), Id: aws.String("baseline-daily")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.InventoryConfiguration.Destination.S3BucketDestination.Bucket),
		"arn:aws:s3:::baseline-s3-inventory-"+la+"-eu-west-1"; got != want {
		t.Errorf("inventory delivered to %s, want %s (same region)", got, want)
	}
}

func TestApplyLogRetention(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	logs := cloudwatchlogs.NewFromConfig(env.Config("workload", "eu-west-1"))
	for _, g := range []string{"/app/forever", "/app/kept"} {
		if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/app/kept"), RetentionInDays: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	p := env.Converge(t, "logs.retention")
	if len(p.Changes) != 1 || !strings.HasSuffix(p.Changes[0].Resource, ":log-group:/app/forever") {
		t.Fatalf("changes: %+v, want the retention of /app/forever only (a group with its own period is kept)", p.Changes)
	}
}

// An organization trail made by hand, delivering to the management account,
// not logging, without validation, KMS, CloudWatch Logs or data events: each
// control plans its own part on it, and none creates another trail.
func TestApplyTrailAdoption(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	mgmt, la := env.Org.AccountID("management"), env.Org.AccountID("log-archive")
	makeBucket(t, env, "management", "us-east-1", "corp-trail-"+mgmt)
	ct := cloudtrail.NewFromConfig(env.Config("management", "us-east-1"))
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("corp"), S3BucketName: aws.String("corp-trail-" + mgmt),
		IsMultiRegionTrail: aws.Bool(true), IsOrganizationTrail: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	trailIDs := loggingControls[:6]
	p := env.Converge(t, trailIDs...)
	want := map[string]string{"cloudtrail.org-trail": "start-logging", "cloudtrail.log-validation": "trail", "cloudtrail.kms": "trail",
		"cloudtrail.bucket-secured": "trail", "cloudtrail.cloudwatch-logs": "trail", "cloudtrail.s3-data-events": "event-selectors"}
	for id, op := range want {
		if len(applytest.Changes(p, id+"|"+mgmt+"|us-east-1|arn:aws:cloudtrail:us-east-1:"+mgmt+":trail/corp|"+op)) != 1 {
			t.Errorf("%s did not plan %s on the existing trail", id, op)
		}
	}
	for _, c := range p.Changes {
		if c.Op == "org-trail" {
			t.Errorf("a second trail planned: %s", c.ID)
		}
	}
	// Each key (trail bucket's, replica's) is planned once, by the control
	// that moves the trail to its bucket.
	for _, region := range applytest.Regions {
		if keys := applytest.Changes(p, "|"+region+"|", "|kms-key"); len(keys) != 1 || keys[0].ControlID != "cloudtrail.bucket-secured" {
			t.Errorf("key changes in %s: %+v", region, keys)
		}
	}
	out, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("corp")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Trail.S3BucketName); got != "baseline-cloudtrail-"+la {
		t.Errorf("the trail delivers to %s, want the log-archive bucket", got)
	}
}

// The emulator has no account-level subscription policies (neither
// DescribeAccountPolicies nor PutAccountPolicy), and takes a destination ARN
// in PutSubscriptionFilter for a log group's: logs.central-pipeline cannot
// converge on it. The snapshot is made to say what AWS says of accounts
// without a policy; the receiving end is applied for real, the policies are
// tested against a fake (TestLogsAccountPolicyOp).
func TestApplyCentralPipelineArchiveSide(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	la, work := env.Org.AccountID("log-archive"), env.Org.AccountID("workload")
	logs := cloudwatchlogs.NewFromConfig(env.Config("workload", "us-east-1"))
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app")}); err != nil {
		t.Fatal(err)
	}
	snap := env.Collect(t, "logs.central-pipeline")
	snap.Errors = slices.DeleteFunc(snap.Errors, func(e snapshot.Error) bool { return e.Operation == "DescribeAccountPolicies" })
	p, err := plan.Build(snap, plan.Options{Settings: env.Settings, Targets: []string{"logs.central-pipeline"}})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, c := range p.Changes {
		count[c.Op]++
	}
	if want := map[string]int{"account-policy": 10, "logs-destination": 2, "stream": 1, "bucket": 1, "role": 2}; !maps.Equal(count, want) {
		t.Fatalf("changes by op: %v, want %v", count, want)
	}
	policy := applytest.Changes(p, "|"+work+"|us-east-1|", "account-policy")
	if len(policy) != 1 || !strings.Contains(policy[0].DependsOn[0], "/us-east-1/arn:aws:logs:us-east-1:"+la+":destination:") {
		t.Fatalf("workload policy: %+v, want it sent to the log-archive destination of its region", policy)
	}

	archive := *p
	archive.Changes = slices.DeleteFunc(slices.Clone(p.Changes), func(c catalog.Change) bool { return c.Op == "account-policy" })
	env.Apply(t, &archive)
	stream, err := firehose.NewFromConfig(env.Config("log-archive", "us-east-1")).DescribeDeliveryStream(ctx,
		&firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("baseline-central-logs")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(stream.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.BucketARN); got != "arn:aws:s3:::baseline-logs-"+la {
		t.Errorf("stream writes to %s", got)
	}
	for _, region := range applytest.Regions {
		out, err := cloudwatchlogs.NewFromConfig(env.Config("log-archive", region)).DescribeDestinations(ctx, &cloudwatchlogs.DescribeDestinationsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Destinations) != 1 || aws.ToString(out.Destinations[0].TargetArn) != aws.ToString(stream.DeliveryStreamDescription.DeliveryStreamARN) ||
			!strings.Contains(aws.ToString(out.Destinations[0].AccessPolicy), env.Org.ID) {
			t.Errorf("destinations in %s: %+v, want one feeding the stream, open to the organization", region, out.Destinations)
		}
	}

	// With the policies AWS would then show, nothing is left to do.
	after := env.Collect(t, "logs.central-pipeline")
	after.Errors = slices.DeleteFunc(after.Errors, func(e snapshot.Error) bool { return e.Operation == "DescribeAccountPolicies" })
	for _, c := range applytest.Changes(p, "account-policy") {
		pol, err := catalog.Decode[snapshot.SubscriptionPolicy](c.After)
		if err != nil {
			t.Fatal(err)
		}
		after.Account(c.AccountID).Regions[c.Region].Logs.SubscriptionPolicy = &pol
	}
	again, err := plan.Build(after, plan.Options{Settings: env.Settings, Targets: []string{"logs.central-pipeline"}})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Empty() || len(again.Blocked) > 0 {
		t.Fatalf("after the policies: changes %+v, blocked %+v", again.Changes, again.Blocked)
	}
}

func TestPlanCentralPipelinePolicies(t *testing.T) {
	const la, work = "555555555555", "222222222222"
	ours := "arn:aws:logs:us-east-1:" + la + ":destination:baseline-central-logs"
	own := snapshot.LogGroup{Name: "/own", Arn: "arn:aws:logs:us-east-1:" + work + ":log-group:/own",
		Subscriptions: []snapshot.SubscriptionFilter{{Name: "corp", DestinationArn: "arn:aws:logs:us-east-1:" + la + ":destination:corp"}}}
	bare := snapshot.LogGroup{Name: "/bare", Arn: "arn:aws:logs:us-east-1:" + work + ":log-group:/bare"}
	build := func(policy *snapshot.SubscriptionPolicy, groups ...snapshot.LogGroup) *plan.Plan {
		t.Helper()
		// The log-archive account's own policy shows its destination exists.
		snap := orgSnapshot(regionAccount(la, "log-archive", &snapshot.Region{Logs: &snapshot.Logs{
			SubscriptionPolicy: &snapshot.SubscriptionPolicy{Name: "baseline-central-logs", DestinationArn: ours}}}),
			regionAccount(work, "prod", &snapshot.Region{Logs: &snapshot.Logs{Groups: groups, SubscriptionPolicy: policy}}))
		p, err := plan.Build(snap, plan.Options{Settings: catalog.Defaults(), Targets: []string{"logs.central-pipeline"}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	policyOf := func(p *plan.Plan) (catalog.Action, snapshot.SubscriptionPolicy) {
		t.Helper()
		if len(p.Changes) != 1 || p.Changes[0].Op != "account-policy" {
			t.Fatalf("changes: %+v, want the workload's policy only", p.Changes)
		}
		pol, err := catalog.Decode[snapshot.SubscriptionPolicy](p.Changes[0].After)
		if err != nil {
			t.Fatal(err)
		}
		return p.Changes[0].Action, pol
	}

	// Groups that already stream to the archive are left out: no event twice.
	if a, pol := policyOf(build(nil, own, bare)); a != catalog.Create || pol.DestinationArn != ours || !slices.Equal(pol.Excluded, []string{"/own"}) {
		t.Errorf("policy: %s %+v", a, pol)
	}
	// A region without groups gets its policy before any group appears.
	if a, pol := policyOf(build(nil)); a != catalog.Create || len(pol.Excluded) != 0 {
		t.Errorf("policy of an empty region: %s %+v", a, pol)
	}
	if p := build(nil, own); !p.Empty() {
		t.Errorf("every group streams on its own, yet: %+v", p.Changes)
	}
	// Apply's policy excluding a group that no longer streams on its own.
	if a, pol := policyOf(build(&snapshot.SubscriptionPolicy{Name: "baseline-central-logs", DestinationArn: ours, Excluded: []string{"/bare"}}, bare)); a != catalog.Update || len(pol.Excluded) != 0 {
		t.Errorf("policy update: %s %+v", a, pol)
	}
	// Another's policy is not replaced: one per account and region.
	p := build(&snapshot.SubscriptionPolicy{Name: "corp", DestinationArn: "arn:aws:firehose:us-east-1:" + work + ":deliverystream/x"}, bare)
	if !p.Empty() || len(p.Blocked) != 1 || p.Blocked[0].Resource != bare.Arn || !strings.Contains(p.Blocked[0].Reason, "allows one per account and region") {
		t.Errorf("foreign policy: changes %+v, blocked %+v", p.Changes, p.Blocked)
	}
}
