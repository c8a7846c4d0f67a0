package controls_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// fixtureOK returns a check that fails the test when a fixture call
// fails (the SDK's error names the call).
func fixtureOK(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// landingZone is an organization with a security, a log-archive and a
// workload account.
type landingZone struct {
	*fixture.Org
	mgmt, security, archive, workload string
}

func newLandingZone(t *testing.T, ctx context.Context) landingZone {
	t.Helper()
	org, err := fixture.CreateOrganization(ctx, moto.Config(t), []fixture.Member{
		{Name: "security", Email: "security@example.com", OU: "Security"},
		{Name: "log-archive", Email: "logs@example.com", OU: "LogArchive"},
		{Name: "workload", Email: "workload@example.com", OU: "Prod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return landingZone{Org: org, mgmt: org.Management, security: org.AccountID("security"), archive: org.AccountID("log-archive"),
		workload: org.AccountID("workload")}
}

// in returns the config of account id in region.
func (z landingZone) in(id, region string) aws.Config {
	cfg := z.Config(id)
	cfg.Region = region
	return cfg
}

// archiveBucket creates in the log-archive account a bucket that is
// private, versioned and access-logged.
func archiveBucket(t *testing.T, ctx context.Context, api *s3.Client, name string) {
	t.Helper()
	ok := fixtureOK(t)
	ok(api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name + "-access"), ACL: "log-delivery-write"}))
	ok(api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))
	ok(api.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}))
	ok(api.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(name),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	ok(api.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(name), BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String(name + "-access"), TargetPrefix: aws.String(name + "/")}}}))
}

// orgTrail creates the management account's organization trail, delivering
// to the log-archive bucket and to the org-trail CloudWatch Logs group, and
// starts it.
func orgTrail(t *testing.T, ctx context.Context, z landingZone, bucket string) string {
	t.Helper()
	ok := fixtureOK(t)
	cfg := z.in(z.mgmt, "us-east-1")
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ok(logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("org-trail")}))
	ct := cloudtrail.NewFromConfig(cfg)
	out, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String(bucket),
		IsMultiRegionTrail: aws.Bool(true), IsOrganizationTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true),
		EnableLogFileValidation: aws.Bool(true), KmsKeyId: aws.String("arn:aws:kms:us-east-1:" + z.security + ":key/trail"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + z.mgmt + ":log-group:org-trail:*"),
		CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::" + z.mgmt + ":role/CloudTrailToLogs")})
	ok(out, err)
	ok(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")}))
	return aws.ToString(out.TrailARN)
}

// The organization-level scenarios share one emulator session and one
// organization, in order: each leaves it as the next expects (an organization
// trail that logs to the org-trail log group).
func TestLandingZoneMoto(t *testing.T) {
	moto.Start(t)
	z := newLandingZone(t, context.Background())
	t.Run("cloudtrail", func(t *testing.T) { cloudTrailMoto(t, z) })
	t.Run("monitoring", func(t *testing.T) { monitoringMoto(t, z) })
	t.Run("log-archive", func(t *testing.T) { logArchiveMoto(t, z) })
}

// The regional services of one account share one emulator session: each
// scenario reads and writes its own service only.
func TestRegionalServicesMoto(t *testing.T) {
	moto.Start(t)
	for _, s := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"config", configRecorderMoto}, {"kms", kmsRotationMoto}, {"logs", logsRetentionMoto}, {"guardduty", guardDutyMoto},
		{"securityhub", securityHubMoto}, {"inspector", inspectorMoto}, {"detective", detectiveMoto}, {"access-analyzer", accessAnalyzerMoto},
	} {
		t.Run(s.name, s.run)
	}
}

func cloudTrailMoto(t *testing.T, z landingZone) {
	ok := fixtureOK(t)
	ctx := context.Background()
	opts := collect.Options{Org: true, Regions: []string{"us-east-1", "eu-west-1"}, Services: []string{"cloudtrail", "s3"}}
	ids := []string{"cloudtrail.org-trail", "cloudtrail.log-validation", "cloudtrail.kms", "cloudtrail.bucket-secured",
		"cloudtrail.cloudwatch-logs", "cloudtrail.s3-data-events"}

	// No trail anywhere.
	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), ids...)
	audittest.Expect(t, res, "cloudtrail.org-trail", z.workload, "", "", catalog.StatusFail, "no multi-region organization trail covers this account")
	for _, id := range []string{"cloudtrail.log-validation", "cloudtrail.kms", "cloudtrail.bucket-secured"} {
		audittest.Expect(t, res, id, z.workload, "", "", catalog.StatusFail, "no CloudTrail trail records this account's activity")
	}
	audittest.Expect(t, res, "cloudtrail.cloudwatch-logs", z.workload, "", "", catalog.StatusFail, "no multi-region trail of record")
	audittest.Expect(t, res, "cloudtrail.s3-data-events", z.workload, "", "", catalog.StatusFail, "no multi-region trail logs S3 object-level read or write")

	// The workload's own trail, in its own bucket: not an organization trail.
	wl := z.in(z.workload, "us-east-1")
	ok(s3.NewFromConfig(wl).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("workload-trail")}))
	local, err := cloudtrail.NewFromConfig(wl).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("local"),
		S3BucketName: aws.String("workload-trail"), IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true)})
	ok(local, err)
	ok(cloudtrail.NewFromConfig(wl).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("local")}))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "cloudtrail.org-trail")
	audittest.Expect(t, res, "cloudtrail.org-trail", z.workload, "", "", catalog.StatusFail, "account trail local is not an organization trail")

	// The organization trail, as the baseline wants it.
	archiveBucket(t, ctx, s3.NewFromConfig(z.in(z.archive, "us-east-1")), "org-trail-logs")
	orgArn := orgTrail(t, ctx, z, "org-trail-logs")
	ok(cloudtrail.NewFromConfig(z.in(z.mgmt, "us-east-1")).PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{
		TrailName: aws.String("org-trail"), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{Name: aws.String("s3"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}}, {Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}}}}}}))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), ids...)
	audittest.Expect(t, res, "cloudtrail.org-trail", z.workload, "", "", catalog.StatusPass, "covered by organization trail org-trail of account "+z.mgmt)
	audittest.Expect(t, res, "cloudtrail.org-trail", z.mgmt, "", "", catalog.StatusPass, "organization trail org-trail is multi-region, logging")
	localArn := aws.ToString(local.TrailARN)
	audittest.Expect(t, res, "cloudtrail.log-validation", z.workload, "", orgArn, catalog.StatusPass, "signed digest")
	audittest.Expect(t, res, "cloudtrail.log-validation", z.workload, "", localArn, catalog.StatusFail, "trail local does not validate")
	audittest.Expect(t, res, "cloudtrail.kms", z.workload, "", orgArn, catalog.StatusPass, "key/trail")
	audittest.Expect(t, res, "cloudtrail.kms", z.workload, "", localArn, catalog.StatusFail, "S3-managed keys only")
	audittest.Expect(t, res, "cloudtrail.bucket-secured", z.workload, "", orgArn, catalog.StatusPass, "private, versioned, access-logged to org-trail-logs-access")
	audittest.Expect(t, res, "cloudtrail.bucket-secured", z.workload, "", localArn, catalog.StatusFail, "bucket workload-trail, which is not in the log-archive account")
	audittest.Expect(t, res, "cloudtrail.cloudwatch-logs", z.workload, "", "", catalog.StatusPass, "CloudWatch Logs group org-trail")
	audittest.Expect(t, res, "cloudtrail.s3-data-events", z.workload, "", "", catalog.StatusPass, "reads and writes of every bucket")
	audittest.Expect(t, res, "cloudtrail.s3-data-events", z.security, "", "", catalog.StatusPass, "organization trail org-trail of account "+z.mgmt)

	// A stopped trail and an unversioned bucket.
	ok(cloudtrail.NewFromConfig(z.in(z.mgmt, "us-east-1")).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("org-trail")}))
	ok(s3.NewFromConfig(z.in(z.archive, "us-east-1")).PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("org-trail-logs"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "cloudtrail.org-trail", "cloudtrail.bucket-secured")
	audittest.Expect(t, res, "cloudtrail.org-trail", z.security, "", "", catalog.StatusFail, "organization trail org-trail of account "+z.mgmt+" is not logging")
	audittest.Expect(t, res, "cloudtrail.bucket-secured", z.security, "", orgArn, catalog.StatusFail, "but versioning is off")
	ok(cloudtrail.NewFromConfig(z.in(z.mgmt, "us-east-1")).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")}))
}

// trailSnapshot is a member whose only view of the organization trail is
// the shadow copy, and whose management account was not assessed.
func trailSnapshot(trail snapshot.Trail, errs ...snapshot.Error) *snapshot.Snapshot {
	member := &snapshot.Account{AccountID: "222222222222", Name: "workload", Regions: map[string]*snapshot.Region{
		"us-east-1": {CloudTrail: &snapshot.CloudTrail{Trails: []snapshot.Trail{trail}}}}}
	return &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		Organization: &snapshot.Organization{ID: "o-1", ManagementAccountID: "111111111111", Member: true},
		Accounts:     []*snapshot.Account{member}, Regions: []string{"us-east-1"}, Errors: errs}
}

func TestCloudTrailUnknownsAreErrors(t *testing.T) {
	shadow := snapshot.Trail{Name: "org-trail", Arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail", HomeRegion: "us-east-1",
		OwnerAccountID: "111111111111", MultiRegion: true, Organization: true, IncludeGlobalEvents: true}
	res := audittest.Audit(t, trailSnapshot(shadow), catalog.Defaults(), "cloudtrail.org-trail", "cloudtrail.s3-data-events")
	audittest.Expect(t, res, "cloudtrail.org-trail", "222222222222", "", "", catalog.StatusError, "could not be read from this account; assess account 111111111111 too")
	audittest.Expect(t, res, "cloudtrail.s3-data-events", "222222222222", "", "", catalog.StatusError, "event selectors of organization trail org-trail")

	own := snapshot.Trail{Name: "own", Arn: "arn:aws:cloudtrail:us-east-1:222222222222:trail/own", HomeRegion: "us-east-1",
		OwnerAccountID: "222222222222", MultiRegion: true, Organization: true, IncludeGlobalEvents: true}
	res = audittest.Audit(t, trailSnapshot(own, snapshot.Error{AccountID: "222222222222", Region: "us-east-1", Service: "cloudtrail",
		Operation: "GetTrailStatus", Resource: own.Arn, Code: "AccessDenied", Class: "access_denied"}), catalog.Defaults(), "cloudtrail.org-trail")
	audittest.Expect(t, res, "cloudtrail.org-trail", "222222222222", "", "", catalog.StatusError, "access denied to cloudtrail:GetTrailStatus")

	denied := trailSnapshot(own, snapshot.Error{AccountID: "222222222222", Region: "us-east-1", Service: "cloudtrail",
		Operation: "DescribeTrails", Code: "AccessDenied", Class: "access_denied"})
	denied.Accounts[0].Regions["us-east-1"].CloudTrail = nil
	res = audittest.Audit(t, denied, catalog.Defaults(), "cloudtrail.org-trail", "cloudtrail.log-validation", "cloudtrail.kms",
		"cloudtrail.bucket-secured", "cloudtrail.cloudwatch-logs", "cloudtrail.s3-data-events")
	for _, f := range res.Findings {
		if f.Status != catalog.StatusError {
			t.Errorf("%s: %s %q, want ERROR", f.ControlID, f.Status, f.Reason)
		}
	}
}

// orgSnapshot is an organization whose management account is 111111111111,
// over the given accounts (categorized, so that designation works).
func orgSnapshot(accounts ...*snapshot.Account) *snapshot.Snapshot {
	return &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		Organization: &snapshot.Organization{ID: "o-1", ManagementAccountID: "111111111111", Member: true, Full: true},
		Accounts:     accounts, Regions: []string{"us-east-1"}}
}

// regionAccount is an assessed account with one region's state.
func regionAccount(id, category string, region *snapshot.Region) *snapshot.Account {
	return &snapshot.Account{AccountID: id, Name: category, Category: category, Regions: map[string]*snapshot.Region{"us-east-1": region}}
}

// denial is an access-denied read of op in account, in us-east-1.
func denial(acct, op, resource string) snapshot.Error {
	svc, name, _ := strings.Cut(op, ":")
	return snapshot.Error{AccountID: acct, Region: "us-east-1", Service: svc, Operation: name, Resource: resource,
		Code: "AccessDenied", Class: "access_denied", Message: "not authorized"}
}

// logArchiveMoto: the Config aggregator in the security account and log
// groups streaming to the log-archive account.
func logArchiveMoto(t *testing.T, z landingZone) {
	ctx := context.Background()
	ok := fixtureOK(t)
	opts := collect.Options{Org: true, Regions: []string{"us-east-1"}, Services: []string{"config", "logs"}}
	sec := z.in(z.security, "us-east-1")
	secLogs := cloudwatchlogs.NewFromConfig(sec)
	for _, g := range []string{"/app/streamed", "/app/local"} {
		ok(secLogs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}))
	}
	// The emulator resolves a Logs destination ARN to a log group of that
	// name: "central" stands for the log-archive destination.
	ok(cloudwatchlogs.NewFromConfig(z.in(z.archive, "us-east-1")).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("central")}))
	ok(secLogs.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("/app/streamed"),
		FilterName: aws.String("central"), FilterPattern: aws.String(""),
		DestinationArn: aws.String("arn:aws:logs:us-east-1:" + z.archive + ":destination:central")}))
	ok(secLogs.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("/app/local"),
		FilterName: aws.String("local"), FilterPattern: aws.String(""),
		DestinationArn: aws.String("arn:aws:logs:us-east-1:" + z.security + ":log-group:/app/streamed")}))

	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "config.aggregator", "logs.central-pipeline")
	audittest.Expect(t, res, "config.aggregator", z.mgmt, "", "", catalog.StatusFail, "no organization aggregator in the security account "+z.security)
	prefix := "arn:aws:logs:us-east-1:" + z.security + ":log-group:"
	// The emulator has no account-level subscription policies: a group with
	// its own subscription to the archive passes, one without cannot be
	// judged.
	audittest.Expect(t, res, "logs.central-pipeline", z.security, "us-east-1", prefix+"/app/streamed", catalog.StatusPass,
		"streams to arn:aws:logs:us-east-1:"+z.archive+":destination:central in the log-archive account")
	audittest.Expect(t, res, "logs.central-pipeline", z.security, "us-east-1", prefix+"/app/local", catalog.StatusError,
		"logs:DescribeAccountPolicies", "not supported by the endpoint")

	aggregator := func(cfg aws.Config) {
		ok(configservice.NewFromConfig(cfg).PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{
			ConfigurationAggregatorName: aws.String("org"), OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{
				RoleArn: aws.String("arn:aws:iam::" + z.mgmt + ":role/config-aggregator"), AllAwsRegions: true}}))
	}
	aggregator(z.in(z.mgmt, "us-east-1"))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "config.aggregator")
	audittest.Expect(t, res, "config.aggregator", z.mgmt, "", "*", catalog.StatusFail, "is in the management account, not in the security account")
	aggregator(sec)
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "config.aggregator")
	audittest.Expect(t, res, "config.aggregator", z.mgmt, "", "*", catalog.StatusPass, "organization aggregator org in the security account "+z.security)
}
