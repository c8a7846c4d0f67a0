package controls

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The buckets apply creates, each whole by one op ("bucket"), and the
// narrow fixes of buckets that exist. A bucket apply creates is private,
// versioned and encrypted, and tagged managed-by=baseline last, so one found
// without the tag was cut short and is created again (every step is
// idempotent, an existing bucket of the account is adopted); one with the
// tag is left to the checks, which fix only what fails.
//
// Server access logging is s3.access-log-bucket's job when it takes part in
// the plan: it creates an access-log bucket in every account and region, and
// every bucket created logs to it. Likewise s3.inventory creates an
// inventory bucket in every region of the log-archive account, and the
// buckets created there report to it. The access-log bucket reports its own
// inventory to itself, which keeps the two from waiting on each other.

// bucketSpec is a bucket apply creates: the After of a "bucket" change.
type bucketSpec struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	// KMSKey is the alias ARN of the SSE-KMS key; "" means SSE-S3.
	KMSKey string `json:"kms_key,omitempty"`
	// Statements are the policy statements apply owns, by Sid: the op keeps
	// the others, so that a person or another control can grant readers.
	Statements []iamStatement   `json:"statements"`
	Lifecycle  *bucketLifecycle `json:"lifecycle,omitempty"`
	// LogTo receives the bucket's server access logs; InventoryTo its daily
	// inventory (possibly itself).
	LogTo       string             `json:"log_to,omitempty"`
	InventoryTo string             `json:"inventory_to,omitempty"`
	Replication *bucketReplication `json:"replication,omitempty"`
}

type bucketLifecycle struct {
	GlacierAfterDays     int32 `json:"glacier_after_days,omitempty"`
	ExpireAfterDays      int32 `json:"expire_after_days,omitempty"`
	NoncurrentExpireDays int32 `json:"noncurrent_expire_days"`
}

// bucketReplication copies every object to Bucket in Region through Role,
// re-encrypting with KMSKey there when the source is SSE-KMS.
type bucketReplication struct {
	Role   string `json:"role"`
	Bucket string `json:"bucket"`
	Region string `json:"region"`
	KMSKey string `json:"kms_key,omitempty"`
}

// bucketFix is the After (and Before) of a narrow fix of a bucket that
// exists: the bucket and the one setting the op sets.
type bucketFix struct {
	Bucket            string                      `json:"bucket"`
	Region            string                      `json:"region,omitempty"`
	LoggingTarget     string                      `json:"logging_target,omitempty"`
	InventoryTo       string                      `json:"inventory_destination,omitempty"`
	Versioning        string                      `json:"versioning,omitempty"`
	Encryption        string                      `json:"encryption,omitempty"`
	PublicAccessBlock *snapshot.PublicAccessBlock `json:"public_access_block,omitempty"`
}

// bucketOps are the ops of every control that creates or fixes buckets.
var bucketOps = map[string]catalog.Op{
	"bucket": decodedOp(func(ctx context.Context, cfg aws.Config, b bucketSpec) error {
		return ensureBucket(ctx, newS3(cfg), b)
	}),
	"bucket-logging": decodedOp(func(ctx context.Context, cfg aws.Config, f bucketFix) error {
		return putLogging(ctx, newS3(cfg), f.Bucket, f.LoggingTarget)
	}),
	"bucket-inventory": decodedOp(func(ctx context.Context, cfg aws.Config, f bucketFix) error {
		return putInventory(ctx, newS3(cfg), f.Bucket, f.Region, f.InventoryTo)
	}),
	"bucket-versioning": decodedOp(func(ctx context.Context, cfg aws.Config, f bucketFix) error {
		return putVersioning(ctx, newS3(cfg), f.Bucket)
	}),
	"bucket-encryption": decodedOp(func(ctx context.Context, cfg aws.Config, f bucketFix) error {
		return putEncryption(ctx, newS3(cfg), f.Bucket, "")
	}),
	"bucket-public-access-block": decodedOp(func(ctx context.Context, cfg aws.Config, f bucketFix) error {
		return putPublicAccessBlock(ctx, newS3(cfg), f.Bucket)
	}),
}

// newS3 uses path-style addressing off AWS, as the collector does.
func newS3(cfg aws.Config) *s3.Client { return s3.NewFromConfig(cfg, awsx.S3Addressing) }

// --- planning -------------------------------------------------------------

// bucketNamed returns the bucket called name of account, nil when there is
// none or S3 was not read.
func bucketNamed(snap *snapshot.Snapshot, account, name string) *snapshot.Bucket {
	a := snap.Account(account)
	if a == nil || a.Global.S3 == nil {
		return nil
	}
	for i := range a.Global.S3.Buckets {
		if a.Global.S3.Buckets[i].Name == name {
			return &a.Global.S3.Buckets[i]
		}
	}
	return nil
}

// bucketComplete reports whether a bucket apply creates exists whole.
func bucketComplete(snap *snapshot.Snapshot, account, name string) bool {
	b := bucketNamed(snap, account, name)
	return b != nil && b.Tags[catalog.ManagedTagKey] == catalog.ManagedTagValue
}

// planBucket records the creation of b in account unless it exists whole or
// is planned already, and returns its reference for DependsOn. Unless b
// names them, it logs to the access-log bucket of its account and region
// and reports its inventory to the region's inventory bucket of the
// log-archive account, as far as the plan makes them.
func planBucket(p *catalog.Planner, account string, b bucketSpec) string {
	if b.LogTo == "" {
		b.LogTo = bucketLogTo(p, account, b.Region)
	}
	if b.LogTo == b.Name {
		b.LogTo = "" // the access-log bucket itself
	}
	if b.InventoryTo == "" {
		b.InventoryTo = bucketInventoryTo(p, account, b.Region)
	}
	w := p.At(account, b.Region)
	arn := bucketARN(b.Region, b.Name)
	if !bucketComplete(p.Snap, account, b.Name) && !planned(p, w.Ref(arn)) {
		w.Create("bucket", arn, b, b.deps(account)...)
	}
	return w.Ref(arn)
}

// deps are the resources b's creation uses: its key, the buckets it logs
// and reports to, its replication role and replica.
func (b bucketSpec) deps(account string) []string {
	var deps []string
	if b.KMSKey != "" {
		deps = append(deps, catalog.Ref(account, b.Region, b.KMSKey))
	}
	for _, to := range []string{b.LogTo, b.InventoryTo} {
		if to != "" && to != b.Name {
			deps = append(deps, catalog.Ref(account, b.Region, bucketARN(b.Region, to)))
		}
	}
	if r := b.Replication; r != nil {
		deps = append(deps, catalog.Ref(account, "", r.Role), catalog.Ref(account, r.Region, bucketARN(r.Region, r.Bucket)))
	}
	return deps
}

// bucketLogTo is where a bucket apply creates in account and region sends
// its server access logs: the region's access-log bucket when
// s3.access-log-bucket takes part in the plan (and creates it), else nowhere.
func bucketLogTo(p *catalog.Planner, account, region string) string {
	if !p.Enabled("s3.access-log-bucket") {
		return ""
	}
	return accessLogTarget(p.Snap, p.Settings, account, region)
}

// bucketInventoryTo is where a bucket apply creates in account and region
// reports its inventory: the region's inventory bucket of the log-archive
// account when s3.inventory takes part in the plan (and creates it), else
// nowhere.
func bucketInventoryTo(p *catalog.Planner, account, region string) string {
	la := p.Designated("log-archive")
	if !p.Enabled("s3.inventory") || la == nil || la.AccountID != account {
		return ""
	}
	return inventoryBucket(p.Settings, account, region)
}

// accessLogTarget names the bucket that receives the server access logs of
// account's buckets in region (S3 delivers to the same account and region
// only): apply's own access-log bucket when it exists, else the bucket the
// region's buckets already log to most, else one whose policy lets S3
// logging write, else apply's, to be created.
func accessLogTarget(snap *snapshot.Snapshot, s *catalog.Settings, account, region string) string {
	ours := accessLogBucket(s, account, region)
	a := snap.Account(account)
	if a == nil || a.Global.S3 == nil || bucketNamed(snap, account, ours) != nil {
		return ours
	}
	sources := map[string]int{}
	for _, b := range a.Global.S3.Buckets {
		if b.LoggingTarget != "" && b.LoggingTarget != b.Name {
			sources[b.LoggingTarget]++
		}
	}
	best, n, granted := "", 0, ""
	for _, b := range a.Global.S3.Buckets {
		switch {
		case b.Region != region:
		case sources[b.Name] > n:
			best, n = b.Name, sources[b.Name]
		case granted == "" && grantsServerAccessLogs(b.Policy):
			granted = b.Name
		}
	}
	switch {
	case best != "":
		return best
	case granted != "":
		return granted
	}
	return ours
}

// planAccessLogBucket records the creation of apply's access-log bucket of
// account in region when no other receives the logs there, and returns the
// reference of the region's access-log bucket.
func planAccessLogBucket(p *catalog.Planner, account, region string) string {
	target := accessLogTarget(p.Snap, p.Settings, account, region)
	if target != accessLogBucket(p.Settings, account, region) {
		return catalog.Ref(account, region, bucketARN(region, target))
	}
	b := bucketSpec{Name: target, Region: region,
		Statements: []iamStatement{tlsOnlyStatement(region, target), accessLogWriteStatement(region, target, account)},
		Lifecycle:  &bucketLifecycle{ExpireAfterDays: int32(p.Settings.LogRetentionDays), NoncurrentExpireDays: 30}}
	if bucketInventoryTo(p, account, region) != "" {
		b.InventoryTo = target
		b.Statements = append(b.Statements, inventoryWriteStatement(region, target, account))
	}
	return planBucket(p, account, b)
}

// planInventoryBucket records the creation of the inventory bucket of the
// log-archive account in region and returns its reference.
func planInventoryBucket(p *catalog.Planner, la, region string) string {
	name := inventoryBucket(p.Settings, la, region)
	return planBucket(p, la, bucketSpec{Name: name, Region: region,
		Statements: []iamStatement{tlsOnlyStatement(region, name), inventoryWriteStatement(region, name, la)},
		Lifecycle:  &bucketLifecycle{ExpireAfterDays: 90, NoncurrentExpireDays: 30}, InventoryTo: name})
}

// failingBuckets returns the unit account's buckets of the failing
// findings, but those the plan already creates (their creation sets it all).
func failingBuckets(p *catalog.Planner, failing []catalog.Finding) []*snapshot.Bucket {
	var out []*snapshot.Bucket
	s := p.Account.Global.S3
	for _, f := range failing {
		i := slices.IndexFunc(s.Buckets, func(b snapshot.Bucket) bool { return bucketARN(b.Region, b.Name) == f.Resource })
		if i >= 0 && !planned(p, catalog.Ref(p.Account.AccountID, s.Buckets[i].Region, f.Resource)) {
			out = append(out, &s.Buckets[i])
		}
	}
	return out
}

// planBucketLogging plans the server access logging of bucket b of account
// to the access-log bucket of its region, created first when needed.
func planBucketLogging(p *catalog.Planner, account string, b *snapshot.Bucket) {
	w := p.At(account, b.Region)
	arn := bucketARN(b.Region, b.Name)
	target := accessLogTarget(p.Snap, p.Settings, account, b.Region)
	if target == b.Name {
		w.Block(arn, "bucket %s receives the access logs of the other buckets of %s: it cannot log to itself; "+
			"give it a bucket of its own to log to", b.Name, b.Region)
		return
	}
	dep := planAccessLogBucket(p, account, b.Region)
	w.Update("bucket-logging", arn, bucketFix{Bucket: b.Name, LoggingTarget: b.LoggingTarget},
		bucketFix{Bucket: b.Name, LoggingTarget: target}, dep)
}

// planVersioning, planEncryption and planBlockPublicAccess record the
// narrow fix of one setting of bucket b, which exists: as it is, as apply
// makes it.
func planVersioning(w catalog.Where, b *snapshot.Bucket) {
	w.Update("bucket-versioning", bucketARN(b.Region, b.Name), bucketFix{Bucket: b.Name, Versioning: b.Versioning},
		bucketFix{Bucket: b.Name, Versioning: string(s3types.BucketVersioningStatusEnabled)})
}

func planEncryption(w catalog.Where, b *snapshot.Bucket) {
	w.Update("bucket-encryption", bucketARN(b.Region, b.Name), bucketFix{Bucket: b.Name, Encryption: b.Encryption},
		bucketFix{Bucket: b.Name, Encryption: string(s3types.ServerSideEncryptionAes256)})
}

func planBlockPublicAccess(w catalog.Where, b *snapshot.Bucket) {
	before := snapshot.PublicAccessBlock{}
	if b.PublicAccessBlock != nil {
		before = *b.PublicAccessBlock
	}
	all := snapshot.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	w.Update("bucket-public-access-block", bucketARN(b.Region, b.Name), bucketFix{Bucket: b.Name, PublicAccessBlock: &before},
		bucketFix{Bucket: b.Name, PublicAccessBlock: &all})
}

// --- policies -------------------------------------------------------------

// tlsOnlyStatement is the TLS-only statement s3.bucket-tls-only looks for.
// Principal {"AWS": "*"} means "*"; the emulator's PutBucketLogging fails on
// a target whose policy names a principal as a bare string.
func tlsOnlyStatement(region, bucket string) iamStatement {
	arn := bucketARN(region, bucket)
	return iamStatement{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string]string{"AWS": "*"}, Action: "s3:*",
		Resource: []string{arn, arn + "/*"}, Condition: iamCondition{"Bool": {"aws:SecureTransport": "false"}}}
}

// accessLogWriteStatement lets S3 deliver the access logs of account's
// buckets. Resource is one string, as the emulator's PutBucketLogging check
// wants it.
func accessLogWriteStatement(region, bucket, account string) iamStatement {
	return iamStatement{Sid: "S3ServerAccessLogsPolicy", Effect: "Allow",
		Principal: servicePrincipal("logging.s3.amazonaws.com"), Action: "s3:PutObject",
		Resource: bucketARN(region, bucket) + "/*", Condition: iamCondition{"StringEquals": {"aws:SourceAccount": account}}}
}

// inventoryWriteStatement lets S3 deliver the inventory of account's buckets.
func inventoryWriteStatement(region, bucket, account string) iamStatement {
	return iamStatement{Sid: "S3InventoryPolicy", Effect: "Allow",
		Principal: servicePrincipal("s3.amazonaws.com"), Action: "s3:PutObject",
		Resource: bucketARN(region, bucket) + "/*", Condition: iamCondition{
			"StringEquals": {"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"},
			"ArnLike":      {"aws:SourceArn": "arn:" + partitionOf(region) + ":s3:::*"}}}
}

// grantsServerAccessLogs reports whether a bucket policy lets S3 server
// access logging write: the mark of an access-log bucket.
func grantsServerAccessLogs(policy string) bool {
	if policy == "" {
		return false
	}
	sts, err := parseSCP(policy)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(sts, func(st scpStatement) bool {
		return st.allows() && st.Principal != nil && slices.Contains(st.Principal.ByType["Service"], "logging.s3.amazonaws.com") &&
			st.matchesAction("s3:PutObject")
	})
}

// --- ops ------------------------------------------------------------------

type bucketWriter interface {
	CreateBucket(context.Context, *s3.CreateBucketInput, ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	PutPublicAccessBlock(context.Context, *s3.PutPublicAccessBlockInput, ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	PutBucketOwnershipControls(context.Context, *s3.PutBucketOwnershipControlsInput, ...func(*s3.Options)) (*s3.PutBucketOwnershipControlsOutput, error)
	PutBucketEncryption(context.Context, *s3.PutBucketEncryptionInput, ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
	PutBucketVersioning(context.Context, *s3.PutBucketVersioningInput, ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	PutBucketPolicy(context.Context, *s3.PutBucketPolicyInput, ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error)
	PutBucketLifecycleConfiguration(context.Context, *s3.PutBucketLifecycleConfigurationInput, ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error)
	PutBucketLogging(context.Context, *s3.PutBucketLoggingInput, ...func(*s3.Options)) (*s3.PutBucketLoggingOutput, error)
	PutBucketReplication(context.Context, *s3.PutBucketReplicationInput, ...func(*s3.Options)) (*s3.PutBucketReplicationOutput, error)
	PutBucketInventoryConfiguration(context.Context, *s3.PutBucketInventoryConfigurationInput, ...func(*s3.Options)) (*s3.PutBucketInventoryConfigurationOutput, error)
	PutBucketTagging(context.Context, *s3.PutBucketTaggingInput, ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error)
}

// ensureBucket creates b, adopting a bucket of the account of that name
// (an interrupted run's), blocks public access before anything else, and
// tags it last.
func ensureBucket(ctx context.Context, c bucketWriter, b bucketSpec) error {
	name := aws.String(b.Name)
	in := &s3.CreateBucketInput{Bucket: name, ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}
	if b.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(b.Region)}
	}
	if _, err := c.CreateBucket(ctx, in); err != nil && !hasCode(err, "BucketAlreadyOwnedByYou") {
		return err
	}
	steps := []func() error{
		func() error { return putPublicAccessBlock(ctx, c, b.Name) },
		func() error {
			_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: name, OwnershipControls: &s3types.OwnershipControls{
				Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
			return err
		},
		func() error { return putEncryption(ctx, c, b.Name, b.KMSKey) },
		func() error { return putVersioning(ctx, c, b.Name) },
		func() error { return mergeBucketPolicy(ctx, c, b.Name, b.Statements) },
		func() error { return putLifecycle(ctx, c, b.Name, b.Lifecycle) },
		func() error { return putLogging(ctx, c, b.Name, b.LogTo) },
		func() error { return putReplication(ctx, c, b) },
		func() error { return putInventory(ctx, c, b.Name, b.Region, b.InventoryTo) },
		func() error {
			_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: name, Tagging: &s3types.Tagging{
				TagSet: managedTagList(func(k, v *string) s3types.Tag { return s3types.Tag{Key: k, Value: v} })}})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return notYet(err)
		}
	}
	return nil
}

func putPublicAccessBlock(ctx context.Context, c bucketWriter, bucket string) error {
	_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
			IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	return err
}

// putEncryption sets the bucket's default encryption: SSE-KMS with the key
// (and S3 Bucket Keys, which spare most KMS calls), else SSE-S3.
func putEncryption(ctx context.Context, c bucketWriter, bucket, kmsKey string) error {
	enc := s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}
	if kmsKey != "" {
		enc = s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(kmsKey)}
	}
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &enc, BucketKeyEnabled: aws.Bool(kmsKey != "")}}}})
	return err
}

func putVersioning(ctx context.Context, c bucketWriter, bucket string) error {
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	return err
}

// mergeBucketPolicy puts the statements into the bucket's policy, replacing
// those with the same Sid and keeping the others.
func mergeBucketPolicy(ctx context.Context, c bucketWriter, bucket string, own []iamStatement) error {
	cur := ""
	out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	switch {
	case err == nil:
		cur = aws.ToString(out.Policy)
	case !awsx.IsNotFound(err):
		return err
	}
	doc, err := withStatements(cur, own...)
	if err != nil {
		return err
	}
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
	return err
}

func putLifecycle(ctx context.Context, c bucketWriter, bucket string, l *bucketLifecycle) error {
	if l == nil {
		return nil
	}
	rule := s3types.LifecycleRule{ID: aws.String("baseline"), Status: s3types.ExpirationStatusEnabled,
		Filter:                         &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
		AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
		NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(l.NoncurrentExpireDays)}}
	if l.GlacierAfterDays > 0 {
		rule.Transitions = []s3types.Transition{{Days: aws.Int32(l.GlacierAfterDays), StorageClass: s3types.TransitionStorageClassGlacier}}
	}
	if l.ExpireAfterDays > 0 {
		rule.Expiration = &s3types.LifecycleExpiration{Days: aws.Int32(l.ExpireAfterDays)}
	}
	_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{rule}}})
	return err
}

// putLogging sends bucket's access logs to target under "bucket/". S3
// refuses a target whose policy it cannot see yet: retried.
func putLogging(ctx context.Context, c bucketWriter, bucket, target string) error {
	if target == "" {
		return nil
	}
	_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(bucket), BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String(target), TargetPrefix: aws.String(bucket + "/")}}})
	return retryOn(err, "InvalidTargetBucketForLogging")
}

func putReplication(ctx context.Context, c bucketWriter, b bucketSpec) error {
	r := b.Replication
	if r == nil {
		return nil
	}
	dest := &s3types.Destination{Bucket: aws.String(bucketARN(r.Region, r.Bucket))}
	rule := s3types.ReplicationRule{ID: aws.String("baseline-replica"), Status: s3types.ReplicationRuleStatusEnabled,
		Priority: aws.Int32(1), Filter: &s3types.ReplicationRuleFilter{Prefix: aws.String("")}, Destination: dest,
		DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled}}
	if b.KMSKey != "" {
		rule.SourceSelectionCriteria = &s3types.SourceSelectionCriteria{
			SseKmsEncryptedObjects: &s3types.SseKmsEncryptedObjects{Status: s3types.SseKmsEncryptedObjectsStatusEnabled}}
		dest.EncryptionConfiguration = &s3types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String(r.KMSKey)}
	}
	_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String(b.Name),
		ReplicationConfiguration: &s3types.ReplicationConfiguration{Role: aws.String(r.Role), Rules: []s3types.ReplicationRule{rule}}})
	return err
}

// inventoryID names the inventory configuration apply writes, so that a
// second run replaces it rather than adding another.
const inventoryID = "baseline-daily"

func putInventory(ctx context.Context, c bucketWriter, bucket, region, dest string) error {
	if dest == "" {
		return nil
	}
	_, err := c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: aws.String(bucket), Id: aws.String(inventoryID),
		InventoryConfiguration: &s3types.InventoryConfiguration{Id: aws.String(inventoryID), IsEnabled: aws.Bool(true),
			IncludedObjectVersions: s3types.InventoryIncludedObjectVersionsAll,
			Schedule:               &s3types.InventorySchedule{Frequency: s3types.InventoryFrequencyDaily},
			OptionalFields: []s3types.InventoryOptionalField{s3types.InventoryOptionalFieldSize, s3types.InventoryOptionalFieldLastModifiedDate,
				s3types.InventoryOptionalFieldStorageClass, s3types.InventoryOptionalFieldEncryptionStatus,
				s3types.InventoryOptionalFieldReplicationStatus, s3types.InventoryOptionalFieldObjectLockMode},
			Destination: &s3types.InventoryDestination{S3BucketDestination: &s3types.InventoryS3BucketDestination{
				Bucket: aws.String(bucketARN(region, dest)), Format: s3types.InventoryFormatParquet, Prefix: aws.String("inventory")}}}})
	return err
}
