package controls_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

const dataAccount = "123456789012"

// dataEnv builds S3 fixtures through the SDK, failing the test on any error.
type dataEnv struct {
	t   *testing.T
	ctx context.Context
	s3  *s3.Client
}

func (d dataEnv) ok(what string, err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatalf("%s: %v", what, err)
	}
}

func (d dataEnv) bucket(name, region string) {
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err := d.s3.CreateBucket(d.ctx, in)
	d.ok("create bucket "+name, err)
}

func (d dataEnv) policy(bucket string, statements ...string) {
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	_, err := d.s3.PutBucketPolicy(d.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
	d.ok("put policy on "+bucket, err)
}

func (d dataEnv) versioned(bucket string) {
	_, err := d.s3.PutBucketVersioning(d.ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	d.ok("version "+bucket, err)
}

func (d dataEnv) logsTo(bucket, target string) {
	_, err := d.s3.PutBucketLogging(d.ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(bucket), BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String(target), TargetPrefix: aws.String(bucket + "/")}}})
	d.ok("log "+bucket, err)
}

func (d dataEnv) accessLogBucket(name string) {
	d.bucket(name, "us-east-1")
	_, err := d.s3.PutBucketAcl(d.ctx, &s3.PutBucketAclInput{Bucket: aws.String(name), ACL: "log-delivery-write"})
	d.ok("let log delivery write to "+name, err)
}

func (d dataEnv) replicate(bucket, dest string) {
	_, err := d.s3.PutBucketReplication(d.ctx, &s3.PutBucketReplicationInput{Bucket: aws.String(bucket), ReplicationConfiguration: &s3types.ReplicationConfiguration{
		Role: aws.String("arn:aws:iam::" + dataAccount + ":role/replication"),
		Rules: []s3types.ReplicationRule{{ID: aws.String("dr"), Status: s3types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1),
			Filter: &s3types.ReplicationRuleFilter{}, DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled},
			Destination: &s3types.Destination{Bucket: aws.String("arn:aws:s3:::" + dest)}}}}})
	d.ok("replicate "+bucket, err)
}

func bucketARN(name string) string { return "arn:aws:s3:::" + name }

const (
	publicRead = `{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}`
	vpceOnly   = `{"Sid":"FromVPC","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*",` +
		`"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}`
	tlsOnly = `{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
)

func TestS3ControlsMoto(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	d := dataEnv{t, ctx, s3.NewFromConfig(cfg)}

	d.bucket("data-public-policy", "us-east-1")
	d.policy("data-public-policy", fmt.Sprintf(publicRead, "data-public-policy"))
	d.bucket("data-public-acl", "us-east-1")
	_, err := d.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("data-public-acl"), ACL: s3types.BucketCannedACLPublicRead})
	d.ok("make ACL public", err)
	d.bucket("data-neutralised", "us-east-1")
	d.policy("data-neutralised", fmt.Sprintf(publicRead, "data-neutralised"))
	_, err = d.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("data-neutralised"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}})
	d.ok("restrict public buckets", err)
	d.bucket("data-private", "eu-west-1")
	d.policy("data-private", fmt.Sprintf(vpceOnly, "data-private"), fmt.Sprintf(tlsOnly, "data-private"))

	d.accessLogBucket("access-logs")
	d.logsTo("data-public-policy", "access-logs")
	d.logsTo("data-neutralised", "access-logs")

	d.bucket("acme-terraform-state", "us-east-1")
	d.versioned("acme-terraform-state")
	_, err = d.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("acme-terraform-state"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{
			{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})
	d.ok("encrypt state bucket", err)

	_, err = d.s3.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: aws.String("access-logs"), Id: aws.String("daily"),
		InventoryConfiguration: &s3types.InventoryConfiguration{Id: aws.String("daily"), IsEnabled: aws.Bool(true),
			IncludedObjectVersions: s3types.InventoryIncludedObjectVersionsAll, Schedule: &s3types.InventorySchedule{Frequency: s3types.InventoryFrequencyDaily},
			Destination: &s3types.InventoryDestination{S3BucketDestination: &s3types.InventoryS3BucketDestination{
				Bucket: aws.String(bucketARN("acme-terraform-state")), Format: s3types.InventoryFormatCsv}}}})
	d.ok("configure inventory", err)

	ids := []string{"s3.account-public-access-block", "s3.bucket-not-public", "s3.bucket-tls-only", "s3.access-log-bucket", "s3.inventory", "tfstate.backend"}
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"s3", "dynamodb"}}
	snap := audittest.Collect(t, opts)
	for _, e := range snap.Errors {
		t.Errorf("unexpected read error: %+v", e)
	}
	archive := catalog.Defaults()
	archive.LogArchiveAccount = dataAccount
	res := audittest.Audit(t, snap, archive, ids...)
	expect := func(id, resource string, want catalog.Status, reason ...string) {
		t.Helper()
		audittest.Expect(t, res, id, dataAccount, "", resource, want, reason...)
	}

	expect("s3.account-public-access-block", "", catalog.StatusFail, "not configured")

	expect("s3.bucket-not-public", bucketARN("data-public-policy"), catalog.StatusFail, `statement "PublicRead" allows s3:GetObject to anyone`)
	expect("s3.bucket-not-public", bucketARN("data-public-acl"), catalog.StatusFail, "its ACL grants READ to AllUsers (everyone)")
	expect("s3.bucket-not-public", bucketARN("data-neutralised"), catalog.StatusPass, "neutralised by the bucket's RestrictPublicBuckets")
	expect("s3.bucket-not-public", bucketARN("data-private"), catalog.StatusPass, "grants nothing to the public")
	// The log delivery group's grant is not public.
	expect("s3.bucket-not-public", bucketARN("access-logs"), catalog.StatusPass)

	expect("s3.bucket-tls-only", bucketARN("data-private"), catalog.StatusPass, `"DenyInsecureTransport"`)
	expect("s3.bucket-tls-only", bucketARN("data-public-policy"), catalog.StatusFail, "does not deny s3:* to everyone when aws:SecureTransport is false")
	expect("s3.bucket-tls-only", bucketARN("data-public-acl"), catalog.StatusFail, "has no bucket policy")

	expect("s3.access-log-bucket", bucketARN("access-logs"), catalog.StatusPass, "access-log bucket of 2 buckets")
	expect("s3.access-log-bucket", bucketARN("data-public-policy"), catalog.StatusPass, "logs server access to access-logs")
	expect("s3.access-log-bucket", bucketARN("data-public-acl"), catalog.StatusFail, "log to access-logs, the access-log bucket of us-east-1")
	expect("s3.access-log-bucket", bucketARN("data-private"), catalog.StatusFail, "create an access-log bucket in eu-west-1")

	expect("s3.inventory", bucketARN("access-logs"), catalog.StatusPass, "1 enabled inventory configuration")
	expect("s3.inventory", bucketARN("data-private"), catalog.StatusFail, "no enabled inventory configuration")
	expect("tfstate.backend", "", catalog.StatusFail, "no DynamoDB table has the hash key LockID")
	undesignated := audittest.Audit(t, snap, catalog.Defaults(), "s3.inventory")
	audittest.Expect(t, undesignated, "s3.inventory", dataAccount, "", "", catalog.StatusFail, "no log-archive account is designated")

	// Account-wide Block Public Access, and a lock table.
	_, err = collect.S3Control(cfg).PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(dataAccount),
		PublicAccessBlockConfiguration: &s3ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	d.ok("block public access for the account", err)
	_, err = dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("terraform-locks"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}}})
	d.ok("create lock table", err)

	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), ids...)
	expect("s3.account-public-access-block", "", catalog.StatusPass)
	expect("s3.bucket-not-public", bucketARN("data-public-policy"), catalog.StatusPass, "neutralised by the account's RestrictPublicBuckets")
	expect("s3.bucket-not-public", bucketARN("data-public-acl"), catalog.StatusPass, "neutralised by the account's IgnorePublicAcls")
	expect("tfstate.backend", "", catalog.StatusPass, "state bucket acme-terraform-state is versioned, encrypted and private; lock table terraform-locks (us-east-1)")

	// With a designated shared-services account, the others are not asked.
	shared := catalog.Defaults()
	shared.SharedServicesAccount = dataAccount
	res = audittest.Audit(t, snap, shared, "tfstate.backend")
	audittest.Expect(t, res, "tfstate.backend", dataAccount, "", "", catalog.StatusFail, "no DynamoDB table")
}

func TestBackupControlsMoto(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	d := dataEnv{t, ctx, s3.NewFromConfig(cfg)}
	d.accessLogBucket("access-logs")
	d.bucket("app-data", "us-east-1")
	d.logsTo("app-data", "access-logs")
	opts := collect.Options{Regions: []string{"us-east-1", "eu-west-1"}, Services: []string{"backup", "s3"}}
	ids := []string{"backup.plan", "backup.vault-lock", "backup.cross-region"}

	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), ids...)
	audittest.Expect(t, res, "backup.plan", dataAccount, "", "", catalog.StatusFail, "no AWS Backup plan in eu-west-1, us-east-1")
	audittest.Expect(t, res, "backup.vault-lock", dataAccount, "us-east-1", "", catalog.StatusPass, "no backup vault")
	audittest.Expect(t, res, "backup.cross-region", dataAccount, "", "", catalog.StatusFail, "log buckets access-logs do not replicate")

	// The access-log bucket replicates to eu-west-1.
	d.versioned("access-logs")
	d.bucket("access-logs-dr", "eu-west-1")
	d.versioned("access-logs-dr")
	d.replicate("access-logs", "access-logs-dr")
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "backup.cross-region")
	audittest.Expect(t, res, "backup.cross-region", dataAccount, "", "", catalog.StatusPass, "log buckets (access-logs) replicate to another region")

	// A plan writing to an unlocked vault and copying to a locked one in
	// eu-west-1; an unlocked vault nobody uses.
	east := backup.NewFromConfig(cfg, func(o *backup.Options) { o.Region = "us-east-1" })
	west := backup.NewFromConfig(cfg, func(o *backup.Options) { o.Region = "eu-west-1" })
	for _, v := range []struct {
		api  *backup.Client
		name string
	}{{east, "main"}, {east, "spare"}, {west, "dr"}} {
		_, err := v.api.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String(v.name)})
		d.ok("create vault "+v.name, err)
	}
	_, err := west.PutBackupVaultLockConfiguration(ctx, &backup.PutBackupVaultLockConfigurationInput{BackupVaultName: aws.String("dr"), MinRetentionDays: aws.Int64(7)})
	d.ok("lock vault dr", err)
	dr := "arn:aws:backup:eu-west-1:" + dataAccount + ":backup-vault:dr"
	_, err = east.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &backuptypes.BackupPlanInput{BackupPlanName: aws.String("daily"),
		Rules: []backuptypes.BackupRuleInput{{RuleName: aws.String("daily"), TargetBackupVaultName: aws.String("main"),
			ScheduleExpression: aws.String("cron(0 5 * * ? *)"), Lifecycle: &backuptypes.Lifecycle{DeleteAfterDays: aws.Int64(35)},
			CopyActions: []backuptypes.CopyAction{{DestinationBackupVaultArn: aws.String(dr)}}}}}})
	d.ok("create plan", err)

	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), ids...)
	audittest.Expect(t, res, "backup.vault-lock", dataAccount, "us-east-1", "arn:aws:backup:us-east-1:"+dataAccount+":backup-vault:main",
		catalog.StatusFail, "no Vault Lock")
	audittest.Expect(t, res, "backup.vault-lock", dataAccount, "us-east-1", "arn:aws:backup:us-east-1:"+dataAccount+":backup-vault:spare",
		catalog.StatusPass, "no backup plan writes to it")
	audittest.Expect(t, res, "backup.vault-lock", dataAccount, "eu-west-1", dr, catalog.StatusPass, "locked (minimum retention 7 days)")
	audittest.Expect(t, res, "backup.cross-region", dataAccount, "", "", catalog.StatusPass, "rule daily of plan daily in us-east-1 copies recovery points to "+dr)
	// The emulator does not implement backup selections: ERROR naming the
	// read, never a guess (the PASS and FAIL cases run on fakes in
	// collect/backup_test.go).
	audittest.Expect(t, res, "backup.plan", dataAccount, "", "", catalog.StatusError, "backup:ListBackupSelections")
}

func TestTagsAndECSMoto(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	api := ec2.NewFromConfig(cfg)
	vpcs, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Fatalf("default VPC: %v", err)
	}
	tag := func(id string, tags ...string) string {
		var ts []ec2types.Tag
		for i := 0; i < len(tags); i += 2 {
			ts = append(ts, ec2types.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
		}
		if _, err := api.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: ts}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	good := tag(aws.ToString(vpcs.Vpcs[0].VpcId), "owner", "net-team", "environment", "prod")
	sg, err := api.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app"), VpcId: vpcs.Vpcs[0].VpcId})
	if err != nil {
		t.Fatal(err)
	}
	bad := tag(aws.ToString(sg.GroupId), "Owner", "app-team")
	ecsAPI := ecs.NewFromConfig(cfg)
	for _, s := range []ecstypes.SettingName{ecstypes.SettingNameTaskLongArnFormat, ecstypes.SettingNameServiceLongArnFormat, ecstypes.SettingNameContainerInstanceLongArnFormat} {
		value := "enabled"
		if s == ecstypes.SettingNameServiceLongArnFormat {
			value = "disabled"
		}
		if _, err := ecsAPI.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: s, Value: aws.String(value)}); err != nil {
			t.Fatal(err)
		}
	}

	snap := audittest.Collect(t, collect.Options{Regions: []string{"us-east-1"}, Services: []string{"tag", "ecs"}})
	res := audittest.Audit(t, snap, catalog.Defaults(), "tags.required", "account.ecs-long-arn")
	audittest.Expect(t, res, "tags.required", dataAccount, "us-east-1", "", catalog.StatusSkip, "audit.required_tags is empty")
	audittest.Expect(t, res, "account.ecs-long-arn", dataAccount, "", "", catalog.StatusFail, "us-east-1: serviceLongArnFormat")

	settings := catalog.Defaults()
	settings.RequiredTags = []string{"owner", "environment"}
	res = audittest.Audit(t, snap, settings, "tags.required")
	audittest.Expect(t, res, "tags.required", dataAccount, "us-east-1", "arn:aws:ec2:us-east-1:"+dataAccount+":security-group/"+bad,
		catalog.StatusFail, "owner (it has Owner), environment")
	if fs := audittest.Find(res, "tags.required", dataAccount, "us-east-1", "arn:aws:ec2:us-east-1:"+dataAccount+":vpc/"+good); len(fs) != 0 {
		t.Errorf("a compliant resource got a finding: %+v", fs)
	}

	if _, err := ecsAPI.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameServiceLongArnFormat, Value: aws.String("enabled")}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{bad}, Tags: []ec2types.Tag{
		{Key: aws.String("owner"), Value: aws.String("app-team")}, {Key: aws.String("environment"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	res = audittest.Audit(t, audittest.Collect(t, collect.Options{Regions: []string{"us-east-1"}, Services: []string{"tag", "ecs"}}), settings,
		"tags.required", "account.ecs-long-arn")
	audittest.Expect(t, res, "tags.required", dataAccount, "us-east-1", "", catalog.StatusPass, "carry owner, environment")
	audittest.Expect(t, res, "account.ecs-long-arn", dataAccount, "", "", catalog.StatusPass)
}

func TestShieldAdvanced(t *testing.T) {
	moto.Start(t)
	// The emulator does not implement Shield: not required, SKIP; required,
	// ERROR naming the operation.
	snap := audittest.Collect(t, collect.Options{Regions: []string{"us-east-1"}, Services: []string{"shield"}})
	res := audittest.Audit(t, snap, catalog.Defaults(), "shield.advanced")
	audittest.Expect(t, res, "shield.advanced", dataAccount, "", "", catalog.StatusSkip, "not required")
	required := catalog.Defaults()
	required.RequireShield = true
	res = audittest.Audit(t, snap, required, "shield.advanced")
	audittest.Expect(t, res, "shield.advanced", dataAccount, "", "", catalog.StatusError, "shield:GetSubscriptionState")

	for _, c := range []struct {
		subscribed bool
		want       catalog.Status
	}{{true, catalog.StatusPass}, {false, catalog.StatusFail}} {
		snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Accounts: []*snapshot.Account{{AccountID: dataAccount,
			Global: snapshot.Global{Shield: &snapshot.Shield{Subscribed: c.subscribed}}}}}
		res := audittest.Audit(t, snap, required, "shield.advanced")
		audittest.Expect(t, res, "shield.advanced", dataAccount, "", "", c.want)
	}
}

// bucketSnapshot is one account with one bucket, "b", in us-east-1.
func bucketSnapshot(b snapshot.Bucket, account *snapshot.PublicAccessBlock) *snapshot.Snapshot {
	b.Name, b.Region = "b", "us-east-1"
	return &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Accounts: []*snapshot.Account{{AccountID: dataAccount,
		Global: snapshot.Global{S3: &snapshot.S3{AccountPublicAccessBlock: account, Buckets: []snapshot.Bucket{b}}}}}}
}

func TestBucketPolicyShapes(t *testing.T) {
	allow := func(principal, condition string) string {
		st := `{"Effect":"Allow","Principal":` + principal + `,"Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b/*"`
		if condition != "" {
			st += `,"Condition":` + condition
		}
		return `{"Statement":` + st + `}}`
	}
	for _, c := range []struct {
		name, policy string
		public       bool
	}{
		{"single statement object, Principal *", allow(`"*"`, ""), true},
		{"AWS * among accounts", allow(`{"AWS":["arn:aws:iam::222222222222:root","*"]}`, ""), true},
		{"one account", allow(`{"AWS":"arn:aws:iam::222222222222:root"}`, ""), false},
		{"service principal", allow(`{"Service":"logging.s3.amazonaws.com"}`, ""), false},
		{"organization", allow(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`), false},
		{"source IP range", allow(`"*"`, `{"IpAddress":{"aws:SourceIp":["198.51.100.0/24"]}}`), false},
		{"source IP everywhere", allow(`"*"`, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`), true},
		{"wildcard account", allow(`"*"`, `{"StringLike":{"aws:SourceAccount":"*"}}`), true},
		{"negated condition", allow(`"*"`, `{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`), true},
		{"IfExists condition", allow(`"*"`, `{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`), true},
		{"unrelated condition", allow(`"*"`, `{"StringEquals":{"s3:prefix":"public/"}}`), true},
		{"role sessions", allow(`"*"`, `{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}`), false},
		{"Deny to everyone", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`, false},
		{"NotPrincipal allow", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:*","Resource":"*"}]}`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := audittest.Audit(t, bucketSnapshot(snapshot.Bucket{Policy: c.policy}, nil), catalog.Defaults(), "s3.bucket-not-public")
			want := catalog.StatusPass
			if c.public {
				want = catalog.StatusFail
			}
			audittest.Expect(t, res, "s3.bucket-not-public", dataAccount, "", "arn:aws:s3:::b", want)
		})
	}
}

func TestBucketTLSPolicyShapes(t *testing.T) {
	deny := func(action, resource, condition string) string {
		return `{"Statement":[{"Sid":"TLS","Effect":"Deny","Principal":{"AWS":"*"},"Action":"` + action + `","Resource":` + resource +
			`,"Condition":` + condition + `}]}`
	}
	both := `["arn:aws:s3:::b","arn:aws:s3:::b/*"]`
	for _, c := range []struct {
		name, policy string
		want         catalog.Status
	}{
		{"canonical", deny("s3:*", both, `{"Bool":{"aws:SecureTransport":"false"}}`), catalog.StatusPass},
		{"boolean value, IfExists", deny("s3:*", both, `{"BoolIfExists":{"aws:SecureTransport":false}}`), catalog.StatusPass},
		{"every action", deny("*", `"*"`, `{"Bool":{"aws:SecureTransport":"false"}}`), catalog.StatusPass},
		{"some actions only", deny("s3:GetObject", both, `{"Bool":{"aws:SecureTransport":"false"}}`), catalog.StatusFail},
		{"bucket but not objects", deny("s3:*", `"arn:aws:s3:::b"`, `{"Bool":{"aws:SecureTransport":"false"}}`), catalog.StatusFail},
		// An old TLS version is denied, but plain HTTP has no TLS version at all.
		{"TLS version only", deny("s3:*", both, `{"NumericLessThan":{"s3:TlsVersion":"1.2"}}`), catalog.StatusFail},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := audittest.Audit(t, bucketSnapshot(snapshot.Bucket{Policy: c.policy}, nil), catalog.Defaults(), "s3.bucket-tls-only")
			audittest.Expect(t, res, "s3.bucket-tls-only", dataAccount, "", "arn:aws:s3:::b", c.want)
		})
	}
}

// A bucket whose policy could not be read is ERROR for the checks that
// read it, while the account-level check is unaffected.
func TestBucketReadFailuresAreErrors(t *testing.T) {
	snap := bucketSnapshot(snapshot.Bucket{}, &snapshot.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
	snap.Errors = []snapshot.Error{{AccountID: dataAccount, Service: "s3", Operation: "GetBucketPolicy", Resource: "b", Code: "AccessDenied", Class: "access_denied"}}
	res := audittest.Audit(t, snap, catalog.Defaults(), "s3.bucket-not-public", "s3.bucket-tls-only", "s3.access-log-bucket", "s3.account-public-access-block")
	audittest.Expect(t, res, "s3.bucket-not-public", dataAccount, "", "arn:aws:s3:::b", catalog.StatusError, "access denied to s3:GetBucketPolicy")
	audittest.Expect(t, res, "s3.bucket-tls-only", dataAccount, "", "arn:aws:s3:::b", catalog.StatusError, "access denied to s3:GetBucketPolicy")
	audittest.Expect(t, res, "s3.access-log-bucket", dataAccount, "", "arn:aws:s3:::b", catalog.StatusFail, "does not log")
	audittest.Expect(t, res, "s3.account-public-access-block", dataAccount, "", "", catalog.StatusPass)
}

// A setting ECS does not report cannot be judged either way.
func TestECSLongARNUnreported(t *testing.T) {
	snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Accounts: []*snapshot.Account{{AccountID: dataAccount,
		Regions: map[string]*snapshot.Region{"us-east-1": {ECS: &snapshot.ECS{Settings: map[string]string{"taskLongArnFormat": "enabled"}}}}}}}
	res := audittest.Audit(t, snap, catalog.Defaults(), "account.ecs-long-arn")
	audittest.Expect(t, res, "account.ecs-long-arn", dataAccount, "", "", catalog.StatusError,
		"no effective value for us-east-1: serviceLongArnFormat, containerInstanceLongArnFormat")
}
