package controls

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The fix of the trail controls. The organization trail lives in the
// management account's home region and delivers to the log-archive account.
// When there is none, cloudtrail.org-trail creates it with its storage (KMS
// key, bucket, replica) and every setting the other trail controls of the
// plan ask for, so they plan nothing then. When there is one, each control
// plans only its own setting, on the trail that fails it; a trail is planned
// in its owner's unit, so the organization trail once, in the management
// account's.

// cloudTrailService is CloudTrail's service principal.
const cloudTrailService = "cloudtrail.amazonaws.com"

// orgTrailSpec is the trail cloudtrail.org-trail creates: the After of
// "org-trail". Selectors, when set, replace the trail's default ones.
type orgTrailSpec struct {
	Name                string                   `json:"name"`
	MultiRegion         bool                     `json:"multi_region"`
	Organization        bool                     `json:"organization"`
	IncludeGlobalEvents bool                     `json:"include_global_events"`
	LogFileValidation   bool                     `json:"log_file_validation"`
	S3Bucket            string                   `json:"s3_bucket"`
	KMSKeyID            string                   `json:"kms_key_id,omitempty"`
	CloudWatchLogsGroup string                   `json:"cloudwatch_logs_group,omitempty"`
	CloudWatchLogsRole  string                   `json:"cloudwatch_logs_role,omitempty"`
	Selectors           []snapshot.EventSelector `json:"selectors,omitempty"`
	Tags                map[string]string        `json:"tags"`
}

// trailUpdate is the Before and After of "trail": the settings one control
// changes on an existing trail; the others are left as they are.
type trailUpdate struct {
	Name                string `json:"name"`
	IncludeGlobalEvents *bool  `json:"include_global_events,omitempty"`
	LogFileValidation   *bool  `json:"log_file_validation,omitempty"`
	KMSKeyID            string `json:"kms_key_id,omitempty"`
	S3Bucket            string `json:"s3_bucket,omitempty"`
	CloudWatchLogsGroup string `json:"cloudwatch_logs_group,omitempty"`
	CloudWatchLogsRole  string `json:"cloudwatch_logs_role,omitempty"`
}

// trailLogging is the Before and After of "start-logging".
type trailLogging struct {
	Name    string `json:"name"`
	Logging bool   `json:"logging"`
}

// trailSelectors is the Before and After of "event-selectors".
type trailSelectors struct {
	Name      string                   `json:"name"`
	Selectors []snapshot.EventSelector `json:"selectors"`
}

// trailOps are the ops of every trail control: any of them may plan the
// storage, and the trail's own writes.
var trailOps = opsOf(bucketOps, keyOps, roleOps, map[string]catalog.Op{
	"org-trail": decodedOp(func(ctx context.Context, cfg aws.Config, t orgTrailSpec) error {
		return createOrgTrail(ctx, cloudtrail.NewFromConfig(cfg), t)
	}),
	"trail": decodedOp(func(ctx context.Context, cfg aws.Config, u trailUpdate) error {
		_, err := cloudtrail.NewFromConfig(cfg).UpdateTrail(ctx, u.input())
		return retryOn(err, trailSettlingCodes...)
	}),
	"start-logging": decodedOp(func(ctx context.Context, cfg aws.Config, l trailLogging) error {
		_, err := cloudtrail.NewFromConfig(cfg).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(l.Name)})
		return err
	}),
	"event-selectors": decodedOp(func(ctx context.Context, cfg aws.Config, s trailSelectors) error {
		_, err := cloudtrail.NewFromConfig(cfg).PutEventSelectors(ctx, selectorsInput(s.Name, s.Selectors))
		return err
	}),
	"trusted-access": decodedOp(func(ctx context.Context, cfg aws.Config, t trustedService) error {
		return enableTrustedAccess(ctx, organizations.NewFromConfig(cfg), t)
	}),
	"log-group": createLogGroup,
})

// --- planning -------------------------------------------------------------

// trailOfRecord is the management account's multi-region organization trail
// (apply's own when there are several), nil when there is none.
func trailOfRecord(p *catalog.Planner) *snapshot.Trail {
	m := p.Management()
	if m == nil {
		return nil
	}
	trails, _ := trailsCovering(p.Snap, m)
	var found *snapshot.Trail
	for i := range trails {
		tr := &trails[i]
		if tr.Organization && tr.MultiRegion && tr.OwnerAccountID == m.AccountID && (found == nil || tr.Name == orgTrail(p.Settings)) {
			found = tr
		}
	}
	return found
}

// awaitOrgTrail handles a control failing for want of a trail: the trail
// cloudtrail.org-trail creates carries the control's setting; without that
// control in the plan, nothing can.
func awaitOrgTrail(p *catalog.Planner) {
	if p.IsManagement() && !p.Enabled("cloudtrail.org-trail") {
		p.Here().Block("", "no organization trail to change: enable cloudtrail.org-trail, which creates it with this setting, or create one")
	}
}

// planEachTrail runs fix on every trail failing the control that the unit's
// account owns, saying whether it is the organization trail of record.
func planEachTrail(p *catalog.Planner, fix func(tr *snapshot.Trail, ofRecord bool)) {
	record := trailOfRecord(p)
	trails, _ := trailsCovering(p.Snap, p.Account)
	for _, f := range failures(p) {
		if f.Resource == "" {
			awaitOrgTrail(p)
			continue
		}
		i := slices.IndexFunc(trails, func(tr snapshot.Trail) bool { return tr.Arn == f.Resource })
		if i < 0 || trails[i].OwnerAccountID != p.Account.AccountID {
			continue
		}
		fix(&trails[i], record != nil && record.Arn == trails[i].Arn)
	}
}

// planTrailOfRecord runs fix on the organization trail when the management
// account fails the control (the members' results follow from it).
func planTrailOfRecord(p *catalog.Planner, fix func(tr *snapshot.Trail)) {
	if !p.IsManagement() || len(failures(p)) == 0 {
		return
	}
	if tr := trailOfRecord(p); tr != nil {
		fix(tr)
		return
	}
	awaitOrgTrail(p)
}

// blockOtherTrail records that apply leaves a trail other than the
// organization trail as it is.
func blockOtherTrail(p *catalog.Planner, tr *snapshot.Trail, does string) {
	p.At(tr.OwnerAccountID, tr.HomeRegion).Block(tr.Arn, "apply %s the organization trail only: fix trail %s by hand, or delete it "+
		"(the organization trail records this account)", does, tr.Name)
}

// updateTrail records a change of some of a trail's settings.
func updateTrail(p *catalog.Planner, tr *snapshot.Trail, before, after trailUpdate, deps ...string) {
	before.Name, after.Name = tr.Name, tr.Name
	p.At(tr.OwnerAccountID, tr.HomeRegion).Update("trail", tr.Arn, before, after, deps...)
}

// planOrgTrail is cloudtrail.org-trail's plan: create the trail, or turn on
// what the existing one lacks.
func planOrgTrail(p *catalog.Planner) {
	if !p.IsManagement() || len(failures(p)) == 0 {
		return
	}
	tr := trailOfRecord(p)
	if tr == nil {
		planOrgTrailCreation(p)
		return
	}
	if !tr.IncludeGlobalEvents {
		updateTrail(p, tr, trailUpdate{IncludeGlobalEvents: aws.Bool(false)}, trailUpdate{IncludeGlobalEvents: aws.Bool(true)})
	}
	if tr.Logging != nil && !*tr.Logging {
		p.At(tr.OwnerAccountID, tr.HomeRegion).Update("start-logging", tr.Arn, trailLogging{Name: tr.Name}, trailLogging{Name: tr.Name, Logging: true})
	}
}

// planOrgTrailCreation plans the organization trail with the settings of
// every trail control in the plan, after what it needs.
func planOrgTrailCreation(p *catalog.Planner) {
	if !p.InOrg() {
		p.Here().Block("", "the account is in no organization: apply creates organization trails only")
		return
	}
	la := p.DesignatedOrBlock("log-archive")
	if la == nil {
		return
	}
	s, mgmt, home := p.Settings, p.Account.AccountID, p.Settings.HomeRegion
	spec := orgTrailSpec{Name: orgTrail(s), MultiRegion: true, Organization: true, IncludeGlobalEvents: true, LogFileValidation: true,
		S3Bucket: trailBucketName(s, la.AccountID), Tags: catalog.ManagedTags(nil)}
	deps := []string{planTrailStorage(p, la.AccountID)}
	if p.Enabled("cloudtrail.kms") {
		spec.KMSKeyID = archiveKeyARN(home, la.AccountID, trailKeyAlias(s))
		deps = append(deps, planTrailKey(p, la.AccountID, home))
	}
	if p.Enabled("cloudtrail.cloudwatch-logs") {
		var logDeps []string
		spec.CloudWatchLogsGroup, spec.CloudWatchLogsRole, logDeps = planTrailLogs(p, home)
		deps = append(deps, logDeps...)
	}
	if p.Enabled("cloudtrail.s3-data-events") {
		spec.Selectors = withS3DataEvents(nil, partitionOf(home))
	}
	if o := p.Org(); !o.Full || !slices.Contains(o.TrustedServices, cloudTrailService) {
		w := p.At(mgmt, "")
		w.Create("trusted-access", trustedResource(cloudTrailService), trustedService{ServicePrincipal: cloudTrailService})
		deps = append(deps, w.Ref(trustedResource(cloudTrailService)))
	}
	p.At(mgmt, home).Create("org-trail", trailARN(home, mgmt, spec.Name), spec, deps...)
}

func trailARN(region, account, name string) string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", partitionOf(region), region, account, name)
}

// planTrailStorage plans the trail bucket of the log-archive account la and
// what it needs (key, access-log bucket, replica and its role) unless it
// exists whole, and returns the reference of the bucket.
func planTrailStorage(p *catalog.Planner, la string) string {
	s, home := p.Settings, p.Settings.HomeRegion
	name := trailBucketName(s, la)
	if bucketComplete(p.Snap, la, name) {
		return catalog.Ref(la, home, bucketARN(home, name))
	}
	mgmtTrails := fmt.Sprintf("arn:%s:cloudtrail:*:%s:trail/*", partitionOf(home), p.Snap.ManagementAccountID())
	arn := bucketARN(home, name)
	b := bucketSpec{Name: name, Region: home,
		Statements: []iamStatement{tlsOnlyStatement(home, name),
			{Sid: "AWSCloudTrailAclCheck", Effect: "Allow", Principal: servicePrincipal(cloudTrailService), Action: "s3:GetBucketAcl", Resource: arn,
				Condition: iamCondition{"StringLike": {"aws:SourceArn": mgmtTrails}}},
			{Sid: "AWSCloudTrailWrite", Effect: "Allow", Principal: servicePrincipal(cloudTrailService), Action: "s3:PutObject",
				Resource: []string{arn + "/AWSLogs/" + p.Snap.ManagementAccountID() + "/*", arn + "/AWSLogs/" + p.Org().ID + "/*"},
				Condition: iamCondition{"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
					"StringLike": {"aws:SourceArn": mgmtTrails}}}},
		Lifecycle: &trailLifecycle, LogTo: accessLogTarget(p.Snap, s, la, home)}
	// cloudtrail.bucket-secured wants the trail bucket access-logged even
	// when s3.access-log-bucket, which otherwise makes the target, is left out.
	if !p.Enabled("s3.access-log-bucket") {
		planAccessLogBucket(p, la, home)
	}
	if p.Enabled("cloudtrail.kms") {
		b.KMSKey = archiveKeyARN(home, la, trailKeyAlias(s))
		planTrailKey(p, la, home)
	}
	if rr := s.ReplicaRegion; rr != "" && rr != home {
		b.Replication = planTrailReplica(p, la, b)
	} else {
		p.At(la, home).Block(arn, "the trail bucket is not replicated: no second region (set logging.replica_region in baseline.yaml, "+
			"or allow a second region)")
	}
	return planBucket(p, la, b)
}

// movesTrailBucket reports whether cloudtrail.bucket-secured plans the trail
// bucket, with its key, to move tr there: tr delivers outside the log-archive
// account la and apply's bucket is not there whole. The key is then that
// control's to create.
func movesTrailBucket(p *catalog.Planner, tr *snapshot.Trail, la string) bool {
	a := p.Snap.Account(la)
	return p.Enabled("cloudtrail.bucket-secured") && a != nil && a.Global.S3 != nil && bucketNamed(p.Snap, la, tr.S3Bucket) == nil &&
		!bucketComplete(p.Snap, la, trailBucketName(p.Settings, la))
}

// trailLifecycle keeps the logs, moving them to Glacier after 90 days, and
// drops overwritten or deleted versions after a year.
var trailLifecycle = bucketLifecycle{GlacierAfterDays: 90, NoncurrentExpireDays: 365}

// planTrailReplica plans the copy of the trail bucket in the replica region,
// with its key and the role S3 replicates through.
func planTrailReplica(p *catalog.Planner, la string, src bucketSpec) *bucketReplication {
	s, rr := p.Settings, p.Settings.ReplicaRegion
	name := trailReplicaBucket(s, la)
	replica := bucketSpec{Name: name, Region: rr, Statements: []iamStatement{tlsOnlyStatement(rr, name)}, Lifecycle: &trailLifecycle}
	policy := []iamStatement{
		{Effect: "Allow", Action: []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, Resource: bucketARN(src.Region, src.Name)},
		{Effect: "Allow", Action: []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
			Resource: bucketARN(src.Region, src.Name) + "/*"},
		{Effect: "Allow", Action: []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}, Resource: bucketARN(rr, name) + "/*"},
	}
	if src.KMSKey != "" {
		replica.KMSKey = archiveKeyARN(rr, la, trailKeyAlias(s))
		planTrailKey(p, la, rr)
		// IAM names keys by id only; the alias condition picks the trail keys.
		byAlias := iamCondition{"ForAnyValue:StringEquals": {"kms:ResourceAliases": trailKeyAlias(s)}}
		policy = append(policy,
			iamStatement{Effect: "Allow", Action: "kms:Decrypt", Resource: fmt.Sprintf("arn:%s:kms:%s:%s:key/*", partitionOf(src.Region), src.Region, la), Condition: byAlias},
			iamStatement{Effect: "Allow", Action: "kms:Encrypt", Resource: fmt.Sprintf("arn:%s:kms:%s:%s:key/*", partitionOf(rr), rr, la), Condition: byAlias})
	}
	planBucket(p, la, replica)
	role := roleSpec{Name: trailReplicationRole(s), Service: "s3.amazonaws.com", SourceAccount: la, Inline: policy}
	planServiceRole(p, la, role)
	return &bucketReplication{Role: iamRoleARN(s.HomeRegion, la, role.Name), Bucket: name, Region: rr, KMSKey: replica.KMSKey}
}

// planTrailKey plans the trail key of la in region unless a complete bucket
// of la already encrypts with it, and returns its reference.
func planTrailKey(p *catalog.Planner, la, region string) string {
	s, mgmt := p.Settings, p.Snap.ManagementAccountID()
	part := partitionOf(region)
	arn := archiveKeyARN(region, la, trailKeyAlias(s))
	inUse := false
	if a := p.Snap.Account(la); a != nil && a.Global.S3 != nil {
		inUse = slices.ContainsFunc(a.Global.S3.Buckets, func(b snapshot.Bucket) bool {
			return b.Encryption == "aws:kms" && b.KMSKeyID == arn && b.Tags[catalog.ManagedTagKey] == catalog.ManagedTagValue
		})
	}
	key := archiveKey{Alias: trailKeyAlias(s), Description: "CloudTrail logs of the organization (baseline)",
		Policy: []iamStatement{
			{Sid: "AccountAdministers", Effect: "Allow", Principal: map[string]string{"AWS": "arn:" + part + ":iam::" + la + ":root"},
				Action: "kms:*", Resource: "*"},
			{Sid: "CloudTrailEncrypts", Effect: "Allow", Principal: servicePrincipal(cloudTrailService), Action: "kms:GenerateDataKey*", Resource: "*",
				Condition: iamCondition{"StringLike": {
					"kms:EncryptionContext:aws:cloudtrail:arn": "arn:" + part + ":cloudtrail:*:" + mgmt + ":trail/*"}}},
			{Sid: "CloudTrailDescribes", Effect: "Allow", Principal: servicePrincipal(cloudTrailService), Action: "kms:DescribeKey", Resource: "*"},
			{Sid: "OrganizationDecrypts", Effect: "Allow", Principal: map[string]string{"AWS": "*"},
				Action: []string{"kms:Decrypt", "kms:ReEncryptFrom"}, Resource: "*", Condition: iamCondition{
					"StringEquals": {"aws:PrincipalOrgID": p.Org().ID},
					"Null":         {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}},
		}}
	return planArchiveKey(p, la, region, key, inUse)
}

// planTrailLogs plans the log group the trail delivers to in region and the
// role CloudTrail writes with, in the management account; it returns their
// ARNs as UpdateTrail takes them and the references.
func planTrailLogs(p *catalog.Planner, region string) (group, role string, deps []string) {
	s, mgmt := p.Settings, p.Snap.ManagementAccountID()
	name := trailLogGroup(s)
	arn := logGroupARN(region, mgmt, name)
	w := p.At(mgmt, region)
	if !logGroupExists(p.Snap, mgmt, region, name) {
		w.Create("log-group", arn, newLogGroup(s, name))
	}
	r := roleSpec{Name: trailLogsRole(s), Service: cloudTrailService, SourceAccount: mgmt,
		Inline: []iamStatement{{Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: arn + ":log-stream:*"}}}
	return arn + ":*", iamRoleARN(region, mgmt, r.Name), []string{w.Ref(arn), planServiceRole(p, mgmt, r)}
}

// logGroupExists reports whether the snapshot shows the log group (false
// when logs were not collected: the op adopts a group that exists).
func logGroupExists(snap *snapshot.Snapshot, account, region, name string) bool {
	r := regionState(snap, account, region)
	return r != nil && r.Logs != nil && slices.ContainsFunc(r.Logs.Groups, func(g snapshot.LogGroup) bool { return g.Name == name })
}

// withS3DataEvents adds to a trail's selectors one logging the object-level
// reads and writes of every bucket, of the kind the trail uses (CloudTrail
// takes basic or advanced selectors, not both). A trail without selectors
// gets the management events explicitly, which the data selector would
// otherwise replace.
func withS3DataEvents(sels []snapshot.EventSelector, partition string) []snapshot.EventSelector {
	if len(sels) == 0 {
		sels = []snapshot.EventSelector{{Name: "Management events", Fields: []snapshot.FieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}}}
	}
	out := slices.Clone(sels)
	if len(sels[0].Fields) == 0 {
		return append(out, snapshot.EventSelector{ReadWrite: "All",
			DataResources: []snapshot.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:" + partition + ":s3"}}}})
	}
	return append(out, snapshot.EventSelector{Name: "S3 object events", Fields: []snapshot.FieldSelector{
		{Field: "eventCategory", Equals: []string{"Data"}}, {Field: "resources.type", Equals: []string{"AWS::S3::Object"}}}})
}

// --- ops ------------------------------------------------------------------

type trailWriter interface {
	CreateTrail(context.Context, *cloudtrail.CreateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error)
	UpdateTrail(context.Context, *cloudtrail.UpdateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error)
	PutEventSelectors(context.Context, *cloudtrail.PutEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.PutEventSelectorsOutput, error)
	StartLogging(context.Context, *cloudtrail.StartLoggingInput, ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error)
}

// createOrgTrail creates the trail, or gives a trail of that name (one made
// by an interrupted run, or an account trail) the spec's settings, then
// sets its selectors and starts it.
func createOrgTrail(ctx context.Context, c trailWriter, t orgTrailSpec) error {
	tags := tagList(t.Tags, func(k, v *string) cttypes.Tag { return cttypes.Tag{Key: k, Value: v} })
	_, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(t.Name), S3BucketName: aws.String(t.S3Bucket),
		IsMultiRegionTrail: aws.Bool(t.MultiRegion), IsOrganizationTrail: aws.Bool(t.Organization),
		IncludeGlobalServiceEvents: aws.Bool(t.IncludeGlobalEvents), EnableLogFileValidation: aws.Bool(t.LogFileValidation),
		KmsKeyId: optionalString(t.KMSKeyID), CloudWatchLogsLogGroupArn: optionalString(t.CloudWatchLogsGroup),
		CloudWatchLogsRoleArn: optionalString(t.CloudWatchLogsRole), TagsList: tags})
	if hasCode(err, "TrailAlreadyExistsException") {
		in := trailUpdate{Name: t.Name, IncludeGlobalEvents: aws.Bool(t.IncludeGlobalEvents), LogFileValidation: aws.Bool(t.LogFileValidation),
			KMSKeyID: t.KMSKeyID, S3Bucket: t.S3Bucket, CloudWatchLogsGroup: t.CloudWatchLogsGroup, CloudWatchLogsRole: t.CloudWatchLogsRole}.input()
		in.IsMultiRegionTrail, in.IsOrganizationTrail = aws.Bool(t.MultiRegion), aws.Bool(t.Organization)
		_, err = c.UpdateTrail(ctx, in)
	}
	if err != nil {
		return retryOn(err, trailSettlingCodes...)
	}
	if len(t.Selectors) > 0 {
		if _, err := c.PutEventSelectors(ctx, selectorsInput(t.Name, t.Selectors)); err != nil {
			return err
		}
	}
	_, err = c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(t.Name)})
	return err
}

func (u trailUpdate) input() *cloudtrail.UpdateTrailInput {
	return &cloudtrail.UpdateTrailInput{Name: aws.String(u.Name), IncludeGlobalServiceEvents: u.IncludeGlobalEvents,
		EnableLogFileValidation: u.LogFileValidation, KmsKeyId: optionalString(u.KMSKeyID), S3BucketName: optionalString(u.S3Bucket),
		CloudWatchLogsLogGroupArn: optionalString(u.CloudWatchLogsGroup), CloudWatchLogsRoleArn: optionalString(u.CloudWatchLogsRole)}
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// trailSettlingCodes are CloudTrail's refusals of what was just created (a
// bucket policy, key policy or role it cannot see yet, trusted access being
// enabled) or of a trail another change is updating: they pass once AWS has
// caught up.
var trailSettlingCodes = []string{"ConflictException", "InsufficientS3BucketPolicyException", "InsufficientEncryptionPolicyException",
	"InvalidCloudWatchLogsRoleArnException", "InvalidCloudWatchLogsLogGroupArnException", "CloudTrailAccessNotEnabledException",
	"InsufficientDependencyServiceAccessPermissionException", "KmsKeyNotFoundException", "S3BucketDoesNotExistException"}

// selectorsInput writes snapshot selectors back in CloudTrail's types.
func selectorsInput(trail string, sels []snapshot.EventSelector) *cloudtrail.PutEventSelectorsInput {
	in := &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trail)}
	for _, s := range sels {
		if len(s.Fields) == 0 {
			es := cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteType(s.ReadWrite), IncludeManagementEvents: aws.Bool(s.IncludeMgmt),
				ExcludeManagementEventSources: s.ExcludeMgmtSources}
			for _, d := range s.DataResources {
				es.DataResources = append(es.DataResources, cttypes.DataResource{Type: aws.String(d.Type), Values: d.Values})
			}
			in.EventSelectors = append(in.EventSelectors, es)
			continue
		}
		as := cttypes.AdvancedEventSelector{Name: optionalString(s.Name)}
		for _, f := range s.Fields {
			as.FieldSelectors = append(as.FieldSelectors, cttypes.AdvancedFieldSelector{Field: aws.String(f.Field), Equals: f.Equals,
				NotEquals: f.NotEquals, StartsWith: f.StartsWith, NotStartsWith: f.NotStartsWith, EndsWith: f.EndsWith, NotEndsWith: f.NotEndsWith})
		}
		in.AdvancedEventSelectors = append(in.AdvancedEventSelectors, as)
	}
	return in
}
