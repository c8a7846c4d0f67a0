package controls

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The storage the logging controls keep: buckets that one op creates whole,
// the KMS keys and service roles they use, and the narrow fixes of buckets
// that exist. A bucket apply creates is tagged managed-by=baseline last, so
// one found without the tag was cut short and is created again (every step
// is idempotent); one with the tag is left to the checks, which fix only what
// fails.
//
// Server access logging is s3.access-log-bucket's job when it takes part in
// the plan: it creates an access-log bucket in every account and region, and
// every bucket created here logs to it. Likewise s3.inventory creates an
// inventory bucket in every region of the log-archive account, and the
// buckets created there report to it. Both support buckets report their own
// inventory to themselves, which keeps the two from waiting on each other.

// archiveBucket is a bucket apply creates: the After of a "bucket" change.
type archiveBucket struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	// KMSKey is the alias ARN of the SSE-KMS key; "" means SSE-S3.
	KMSKey string `json:"kms_key,omitempty"`
	// Statements are the policy statements apply owns, by Sid: the op keeps
	// the others, so that a person or another control can grant readers.
	Statements []archiveStatement `json:"statements"`
	Lifecycle  archiveLifecycle   `json:"lifecycle"`
	// LogTo receives the bucket's server access logs; InventoryTo its daily
	// inventory (possibly itself).
	LogTo       string              `json:"log_to,omitempty"`
	InventoryTo string              `json:"inventory_to,omitempty"`
	Replication *archiveReplication `json:"replication,omitempty"`
	Tags        map[string]string   `json:"tags"`
}

// archiveStatement is one IAM policy statement as JSON writes it.
type archiveStatement = map[string]any

type archiveLifecycle struct {
	GlacierAfterDays     int32 `json:"glacier_after_days,omitempty"`
	ExpireAfterDays      int32 `json:"expire_after_days,omitempty"`
	NoncurrentExpireDays int32 `json:"noncurrent_expire_days"`
}

// archiveReplication copies every object to Bucket in Region through Role,
// re-encrypting with KMSKey there when the source is SSE-KMS.
type archiveReplication struct {
	Role   string `json:"role"`
	Bucket string `json:"bucket"`
	Region string `json:"region"`
	KMSKey string `json:"kms_key,omitempty"`
}

// archiveBucketFix is the After (and Before) of a narrow fix of a bucket that
// exists: the bucket and the one setting the op sets.
type archiveBucketFix struct {
	Bucket            string                      `json:"bucket"`
	Region            string                      `json:"region,omitempty"`
	LoggingTarget     string                      `json:"logging_target,omitempty"`
	InventoryTo       string                      `json:"inventory_destination,omitempty"`
	Versioning        string                      `json:"versioning,omitempty"`
	PublicAccessBlock *snapshot.PublicAccessBlock `json:"public_access_block,omitempty"`
}

// archiveKey is a symmetric key apply creates, found again by its alias.
type archiveKey struct {
	Alias       string             `json:"alias"`
	Description string             `json:"description"`
	Policy      []archiveStatement `json:"policy"`
	Tags        map[string]string  `json:"tags"`
}

// archiveRole is a role an AWS service assumes, with one inline policy.
type archiveRole struct {
	Name    string `json:"name"`
	Service string `json:"service"`
	// SourceAccount, when set, restricts the trust to requests made on
	// behalf of that account (confused-deputy protection).
	SourceAccount string             `json:"source_account,omitempty"`
	Policy        []archiveStatement `json:"policy"`
	Tags          map[string]string  `json:"tags"`
}

// The ops of the storage, shared by the controls that plan it.
var archiveOps = map[string]catalog.Op{
	"bucket": decodedOp(func(ctx context.Context, cfg aws.Config, b archiveBucket) error {
		return ensureArchiveBucket(ctx, archiveS3(cfg), b)
	}),
	"bucket-logging": decodedOp(func(ctx context.Context, cfg aws.Config, b archiveBucketFix) error {
		return archivePutLogging(ctx, archiveS3(cfg), b.Bucket, b.LoggingTarget)
	}),
	"bucket-inventory": decodedOp(func(ctx context.Context, cfg aws.Config, b archiveBucketFix) error {
		return archivePutInventory(ctx, archiveS3(cfg), b.Bucket, b.Region, b.InventoryTo)
	}),
	"bucket-versioning": decodedOp(func(ctx context.Context, cfg aws.Config, b archiveBucketFix) error {
		return archivePutVersioning(ctx, archiveS3(cfg), b.Bucket)
	}),
	"bucket-public-access-block": decodedOp(func(ctx context.Context, cfg aws.Config, b archiveBucketFix) error {
		return archivePutPublicAccessBlock(ctx, archiveS3(cfg), b.Bucket)
	}),
	"kms-key": decodedOp(func(ctx context.Context, cfg aws.Config, k archiveKey) error {
		return ensureArchiveKey(ctx, kms.NewFromConfig(cfg), k)
	}),
	"service-role": decodedOp(func(ctx context.Context, cfg aws.Config, r archiveRole) error {
		return ensureArchiveRole(ctx, iam.NewFromConfig(cfg), r)
	}),
}

// withArchiveOps returns the storage ops and a control's own.
func withArchiveOps(own map[string]catalog.Op) map[string]catalog.Op {
	out := maps.Clone(archiveOps)
	maps.Copy(out, own)
	return out
}

// archiveS3 uses path-style addressing off AWS, as the collector does.
func archiveS3(cfg aws.Config) *s3.Client { return s3.NewFromConfig(cfg, awsx.S3Addressing) }

// --- planning -------------------------------------------------------------

// archiveBucketOf returns the bucket called name of account, nil when there
// is none or S3 was not read.
func archiveBucketOf(snap *snapshot.Snapshot, account, name string) *snapshot.Bucket {
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

// archiveBucketComplete reports whether a bucket apply creates exists whole.
func archiveBucketComplete(snap *snapshot.Snapshot, account, name string) bool {
	b := archiveBucketOf(snap, account, name)
	return b != nil && b.Tags[catalog.ManagedTagKey] == catalog.ManagedTagValue
}

// planArchiveBucket records the creation of b in account unless it exists
// whole, and returns the reference of the bucket for DependsOn.
func planArchiveBucket(p *catalog.Planner, account string, b archiveBucket) string {
	w := p.At(account, b.Region)
	arn := bucketARN(b.Region, b.Name)
	if !archiveBucketComplete(p.Snap, account, b.Name) && !archivePlanned(p, w.Ref(arn)) {
		w.Create("bucket", arn, b, archiveBucketDeps(account, b)...)
	}
	return w.Ref(arn)
}

// archiveBucketDeps are the resources b's creation uses: its key, the
// buckets it logs and reports to, its replication role and replica.
func archiveBucketDeps(account string, b archiveBucket) []string {
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

// archivePlanned reports whether the planner already recorded the creation of ref:
// two controls' needs can meet on one resource within a control's plan.
func archivePlanned(p *catalog.Planner, ref string) bool {
	return slices.ContainsFunc(p.Changes(), func(c catalog.Change) bool { return c.Action == catalog.Create && c.Ref() == ref })
}

// accessLogTarget names the bucket that receives the server access logs of
// account's buckets in region (S3 delivers to the same account and region
// only): apply's own access-log bucket when it exists, else the bucket the
// region's buckets already log to most, else one whose policy lets S3
// logging write, else apply's, to be created.
func accessLogTarget(snap *snapshot.Snapshot, s *catalog.Settings, account, region string) string {
	ours := accessLogBucket(s, account, region)
	a := snap.Account(account)
	if a == nil || a.Global.S3 == nil || archiveBucketOf(snap, account, ours) != nil {
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
	b := archiveBucket{Name: target, Region: region,
		Statements: []archiveStatement{archiveTLSOnly(region, target), archiveAccessLogWrite(region, target, account)},
		Lifecycle:  archiveLifecycle{ExpireAfterDays: int32(p.Settings.LogRetentionDays), NoncurrentExpireDays: 30},
		Tags:       catalog.ManagedTags(nil)}
	if archiveInventoryTo(p, account, region) != "" {
		b.InventoryTo = target
		b.Statements = append(b.Statements, archiveInventoryWrite(region, target, account))
	}
	return planArchiveBucket(p, account, b)
}

// failingBuckets returns the unit account's buckets of the failing
// findings, but those the plan already creates (their creation sets it all).
func failingBuckets(p *catalog.Planner, failing []catalog.Finding) []*snapshot.Bucket {
	var out []*snapshot.Bucket
	s := p.Account.Global.S3
	for _, f := range failing {
		i := slices.IndexFunc(s.Buckets, func(b snapshot.Bucket) bool { return bucketARN(b.Region, b.Name) == f.Resource })
		if i >= 0 && !archivePlanned(p, catalog.Ref(p.Account.AccountID, s.Buckets[i].Region, f.Resource)) {
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
	w.Update("bucket-logging", arn, archiveBucketFix{Bucket: b.Name, LoggingTarget: b.LoggingTarget},
		archiveBucketFix{Bucket: b.Name, LoggingTarget: target}, dep)
}

// archiveLogTo is where a bucket apply creates in account and region sends its
// server access logs: the region's access-log bucket when
// s3.access-log-bucket takes part in the plan (and creates it), else nowhere.
func archiveLogTo(p *catalog.Planner, account, region string) string {
	if !p.Enabled("s3.access-log-bucket") {
		return ""
	}
	return accessLogTarget(p.Snap, p.Settings, account, region)
}

// archiveInventoryTo is where a bucket apply creates in account and region
// reports its inventory: the region's inventory bucket of the log-archive
// account when s3.inventory takes part in the plan (and creates it), else
// nowhere.
func archiveInventoryTo(p *catalog.Planner, account, region string) string {
	la := p.Designated("log-archive")
	if !p.Enabled("s3.inventory") || la == nil || la.AccountID != account {
		return ""
	}
	return inventoryBucket(p.Settings, account, region)
}

// planInventoryBucket records the creation of the inventory bucket of the
// log-archive account in region and returns its reference.
func planInventoryBucket(p *catalog.Planner, la, region string) string {
	name := inventoryBucket(p.Settings, la, region)
	return planArchiveBucket(p, la, archiveBucket{Name: name, Region: region,
		Statements: []archiveStatement{archiveTLSOnly(region, name), archiveInventoryWrite(region, name, la)},
		Lifecycle:  archiveLifecycle{ExpireAfterDays: 90, NoncurrentExpireDays: 30},
		LogTo:      archiveLogTo(p, la, region), InventoryTo: name, Tags: catalog.ManagedTags(nil)})
}

// planArchiveRole records the role's creation (once per plan of a control;
// the op adopts a role that exists) and returns its reference.
func planArchiveRole(p *catalog.Planner, account string, r archiveRole) string {
	w := p.At(account, "")
	arn := iamRoleARN(p.Settings.HomeRegion, account, r.Name)
	if !archivePlanned(p, w.Ref(arn)) {
		w.Create("service-role", arn, r)
	}
	return w.Ref(arn)
}

// planArchiveKey records the creation of key in account and region unless inUse
// says it exists, and returns its reference.
func planArchiveKey(p *catalog.Planner, account, region string, key archiveKey, inUse bool) string {
	w := p.At(account, region)
	arn := archiveKeyARN(region, account, key.Alias)
	if !inUse && !archivePlanned(p, w.Ref(arn)) {
		w.Create("kms-key", arn, key)
	}
	return w.Ref(arn)
}

func archiveKeyARN(region, account, alias string) string {
	return "arn:" + partitionOf(region) + ":kms:" + region + ":" + account + ":" + alias
}

// --- policies -------------------------------------------------------------

// archiveTLSOnly is the TLS-only statement s3.bucket-tls-only looks for.
// Principal {"AWS": "*"} means "*"; the emulator's PutBucketLogging fails on
// a target whose policy names a principal as a bare string.
func archiveTLSOnly(region, bucket string) archiveStatement {
	arn := bucketARN(region, bucket)
	return archiveStatement{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": map[string]string{"AWS": "*"}, "Action": "s3:*",
		"Resource": []string{arn, arn + "/*"}, "Condition": map[string]any{"Bool": map[string]string{"aws:SecureTransport": "false"}}}
}

// archiveAccessLogWrite lets S3 deliver the access logs of account's buckets.
// Resource is one string, as the emulator's PutBucketLogging check wants it.
func archiveAccessLogWrite(region, bucket, account string) archiveStatement {
	return archiveStatement{"Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
		"Principal": map[string]string{"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
		"Resource": bucketARN(region, bucket) + "/*", "Condition": map[string]any{"StringEquals": map[string]string{"aws:SourceAccount": account}}}
}

// archiveInventoryWrite lets S3 deliver the inventory of account's buckets.
func archiveInventoryWrite(region, bucket, account string) archiveStatement {
	return archiveStatement{"Sid": "S3InventoryPolicy", "Effect": "Allow",
		"Principal": map[string]string{"Service": "s3.amazonaws.com"}, "Action": "s3:PutObject",
		"Resource": bucketARN(region, bucket) + "/*", "Condition": map[string]any{
			"StringEquals": map[string]string{"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"},
			"ArnLike":      map[string]string{"aws:SourceArn": "arn:" + partitionOf(region) + ":s3:::*"}}}
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
		return st.allows() && st.Principal != nil && st.Principal.ByType["Service"].has("logging.s3.amazonaws.com") &&
			st.matchesAction("s3:PutObject")
	})
}

// --- ops ------------------------------------------------------------------

type archiveBucketWriter interface {
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

// ensureArchiveBucket creates b, or completes it after an interrupted run, and
// tags it last.
func ensureArchiveBucket(ctx context.Context, c archiveBucketWriter, b archiveBucket) error {
	name := aws.String(b.Name)
	in := &s3.CreateBucketInput{Bucket: name, ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}
	if b.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(b.Region)}
	}
	if _, err := c.CreateBucket(ctx, in); err != nil && awsx.Code(err) != "BucketAlreadyOwnedByYou" {
		return err
	}
	enc := s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}
	if b.KMSKey != "" {
		enc = s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(b.KMSKey)}
	}
	steps := []func() error{
		func() error { return archivePutPublicAccessBlock(ctx, c, b.Name) },
		func() error {
			_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: name, OwnershipControls: &s3types.OwnershipControls{
				Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
			return err
		},
		func() error {
			_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: name, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
				Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &enc, BucketKeyEnabled: aws.Bool(b.KMSKey != "")}}}})
			return err
		},
		func() error { return archivePutVersioning(ctx, c, b.Name) },
		func() error { return archiveMergePolicy(ctx, c, b.Name, b.Statements) },
		func() error { return archivePutLifecycle(ctx, c, b.Name, b.Lifecycle) },
		func() error { return archivePutLogging(ctx, c, b.Name, b.LogTo) },
		func() error { return archivePutReplication(ctx, c, b) },
		func() error { return archivePutInventory(ctx, c, b.Name, b.Region, b.InventoryTo) },
		func() error {
			_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: name, Tagging: &s3types.Tagging{TagSet: archiveS3Tags(b.Tags)}})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func archivePutPublicAccessBlock(ctx context.Context, c archiveBucketWriter, bucket string) error {
	_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
			IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	return err
}

func archivePutVersioning(ctx context.Context, c archiveBucketWriter, bucket string) error {
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	return err
}

// archiveMergePolicy puts the statements into the bucket's policy, replacing
// those with the same Sid and keeping the others.
func archiveMergePolicy(ctx context.Context, c archiveBucketWriter, bucket string, own []archiveStatement) error {
	cur := ""
	out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	switch {
	case err == nil:
		cur = aws.ToString(out.Policy)
	case !awsx.IsNotFound(err):
		return err
	}
	doc, err := archiveMergeStatements(cur, own)
	if err != nil {
		return err
	}
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
	return err
}

// archiveMergeStatements returns the policy document cur with own's statements
// replacing those of the same Sid.
func archiveMergeStatements(cur string, own []archiveStatement) (string, error) {
	sids := map[string]bool{}
	for _, st := range own {
		sids[st["Sid"].(string)] = true
	}
	var kept []any
	if cur != "" {
		var doc struct{ Statement json.RawMessage }
		if err := json.Unmarshal([]byte(cur), &doc); err != nil {
			return "", err
		}
		var sts []map[string]any
		if err := json.Unmarshal(doc.Statement, &sts); err != nil {
			var one map[string]any
			if err := json.Unmarshal(doc.Statement, &one); err != nil {
				return "", err
			}
			sts = []map[string]any{one}
		}
		for _, st := range sts {
			if sid, _ := st["Sid"].(string); !sids[sid] {
				kept = append(kept, st)
			}
		}
	}
	for _, st := range own {
		kept = append(kept, st)
	}
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": kept})
	return string(b), err
}

func archivePutLifecycle(ctx context.Context, c archiveBucketWriter, bucket string, l archiveLifecycle) error {
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

// archivePutLogging sends bucket's access logs to target under "bucket/". S3
// refuses a target whose policy it cannot see yet: retried.
func archivePutLogging(ctx context.Context, c archiveBucketWriter, bucket, target string) error {
	if target == "" {
		return nil
	}
	_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(bucket), BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String(target), TargetPrefix: aws.String(bucket + "/")}}})
	if awsx.Code(err) == "InvalidTargetBucketForLogging" {
		return catalog.Retryable(err)
	}
	return err
}

func archivePutReplication(ctx context.Context, c archiveBucketWriter, b archiveBucket) error {
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

// archiveInventoryID names the inventory configuration apply writes, so that a
// second run replaces it rather than adding another.
const archiveInventoryID = "baseline-daily"

func archivePutInventory(ctx context.Context, c archiveBucketWriter, bucket, region, dest string) error {
	if dest == "" {
		return nil
	}
	_, err := c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: aws.String(bucket), Id: aws.String(archiveInventoryID),
		InventoryConfiguration: &s3types.InventoryConfiguration{Id: aws.String(archiveInventoryID), IsEnabled: aws.Bool(true),
			IncludedObjectVersions: s3types.InventoryIncludedObjectVersionsAll,
			Schedule:               &s3types.InventorySchedule{Frequency: s3types.InventoryFrequencyDaily},
			OptionalFields: []s3types.InventoryOptionalField{s3types.InventoryOptionalFieldSize, s3types.InventoryOptionalFieldLastModifiedDate,
				s3types.InventoryOptionalFieldStorageClass, s3types.InventoryOptionalFieldEncryptionStatus,
				s3types.InventoryOptionalFieldReplicationStatus, s3types.InventoryOptionalFieldObjectLockMode},
			Destination: &s3types.InventoryDestination{S3BucketDestination: &s3types.InventoryS3BucketDestination{
				Bucket: aws.String(bucketARN(region, dest)), Format: s3types.InventoryFormatParquet, Prefix: aws.String("inventory")}}}})
	return err
}

func archiveS3Tags(tags map[string]string) []s3types.Tag {
	out := make([]s3types.Tag, 0, len(tags))
	for _, k := range catalog.SortedKeys(tags) {
		out = append(out, s3types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

type archiveKeyWriter interface {
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	ListKeys(context.Context, *kms.ListKeysInput, ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	ListResourceTags(context.Context, *kms.ListResourceTagsInput, ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)
	CreateKey(context.Context, *kms.CreateKeyInput, ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	CreateAlias(context.Context, *kms.CreateAliasInput, ...func(*kms.Options)) (*kms.CreateAliasOutput, error)
	PutKeyPolicy(context.Context, *kms.PutKeyPolicyInput, ...func(*kms.Options)) (*kms.PutKeyPolicyOutput, error)
	EnableKeyRotation(context.Context, *kms.EnableKeyRotationInput, ...func(*kms.Options)) (*kms.EnableKeyRotationOutput, error)
}

// archiveKeyAliasTag marks a key apply created with the alias it is meant to have,
// so that a key whose alias was never made (a run killed in between) is
// found and aliased rather than created twice.
const archiveKeyAliasTag = "baseline:alias"

// ensureArchiveKey finds the key by its alias (or a key created for it but not
// yet aliased), else creates it, then sets its policy and rotation.
func ensureArchiveKey(ctx context.Context, c archiveKeyWriter, k archiveKey) error {
	policy, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": k.Policy})
	if err != nil {
		return err
	}
	id, err := archiveKeyByAlias(ctx, c, k.Alias)
	if err != nil {
		return err
	}
	if id == "" {
		tags := []kmstypes.Tag{{TagKey: aws.String(archiveKeyAliasTag), TagValue: aws.String(k.Alias)}}
		for _, key := range catalog.SortedKeys(k.Tags) {
			tags = append(tags, kmstypes.Tag{TagKey: aws.String(key), TagValue: aws.String(k.Tags[key])})
		}
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(k.Description), Policy: aws.String(string(policy)), Tags: tags})
		if err != nil {
			return err
		}
		id = aws.ToString(out.KeyMetadata.KeyId)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(id)}); err != nil &&
		awsx.Code(err) != "AlreadyExistsException" {
		return err
	}
	if _, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(string(policy)), PolicyName: aws.String("default")}); err != nil {
		return err
	}
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)})
	return err
}

// archiveKeyByAlias returns the id of the key alias names, or of a key tagged for
// it, or "".
func archiveKeyByAlias(ctx context.Context, c archiveKeyWriter, alias string) (string, error) {
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	switch {
	case err == nil:
		return aws.ToString(d.KeyMetadata.KeyId), nil
	case !awsx.IsNotFound(err):
		return "", err
	}
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, k := range page.Keys {
			tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId})
			if err != nil {
				continue // AWS-managed keys refuse: not ours anyway
			}
			if slices.ContainsFunc(tags.Tags, func(t kmstypes.Tag) bool {
				return aws.ToString(t.TagKey) == archiveKeyAliasTag && aws.ToString(t.TagValue) == alias
			}) {
				return aws.ToString(k.KeyId), nil
			}
		}
	}
	return "", nil
}

type archiveRoleWriter interface {
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
}

// ensureArchiveRole creates the role, or brings an existing one's trust to
// what it should be, and writes its inline policy.
func ensureArchiveRole(ctx context.Context, c archiveRoleWriter, r archiveRole) error {
	trust := archiveStatement{"Effect": "Allow", "Principal": map[string]string{"Service": r.Service}, "Action": "sts:AssumeRole"}
	if r.SourceAccount != "" {
		trust["Condition"] = map[string]any{"StringEquals": map[string]string{"aws:SourceAccount": r.SourceAccount}}
	}
	trustDoc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{trust}})
	if err != nil {
		return err
	}
	var tags []iamtypes.Tag
	for _, k := range catalog.SortedKeys(r.Tags) {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(r.Tags[k])})
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.Name), AssumeRolePolicyDocument: aws.String(string(trustDoc)), Tags: tags})
	switch {
	case awsx.Code(err) == "EntityAlreadyExists":
		if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(r.Name), PolicyDocument: aws.String(string(trustDoc))}); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": r.Policy})
	if err != nil {
		return err
	}
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.Name), PolicyName: aws.String(r.Name), PolicyDocument: aws.String(string(doc))})
	return err
}
