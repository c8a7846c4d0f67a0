package controls

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The logging ops the emulator cannot run (account-level subscription
// policies) or cannot make fail the way AWS does (a key left without its
// alias by a killed run, refusals of what was just created), against fakes.

type fakeKeys struct {
	aliased string            // key id the alias names, "" for none
	tagged  map[string]string // key id → value of its alias tag
	created int
	calls   []string
}

func (f *fakeKeys) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	if f.aliased == "" {
		return nil, awsErr("NotFoundException", "alias not found")
	}
	return &kms.DescribeKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{KeyId: aws.String(f.aliased)}}, nil
}

func (f *fakeKeys) ListKeys(context.Context, *kms.ListKeysInput, ...func(*kms.Options)) (*kms.ListKeysOutput, error) {
	out := &kms.ListKeysOutput{}
	for _, id := range catalog.SortedKeys(f.tagged) {
		out.Keys = append(out.Keys, kmstypes.KeyListEntry{KeyId: aws.String(id)})
	}
	return out, nil
}

func (f *fakeKeys) ListResourceTags(_ context.Context, in *kms.ListResourceTagsInput, _ ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error) {
	v := f.tagged[aws.ToString(in.KeyId)]
	if v == "" {
		return nil, awsErr("AccessDeniedException", "AWS managed key")
	}
	return &kms.ListResourceTagsOutput{Tags: []kmstypes.Tag{{TagKey: aws.String(archiveKeyAliasTag), TagValue: aws.String(v)}}}, nil
}

func (f *fakeKeys) CreateKey(context.Context, *kms.CreateKeyInput, ...func(*kms.Options)) (*kms.CreateKeyOutput, error) {
	f.created++
	return &kms.CreateKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{KeyId: aws.String("new")}}, nil
}

func (f *fakeKeys) CreateAlias(_ context.Context, in *kms.CreateAliasInput, _ ...func(*kms.Options)) (*kms.CreateAliasOutput, error) {
	f.calls = append(f.calls, "alias "+aws.ToString(in.TargetKeyId))
	if f.aliased != "" {
		return nil, awsErr("AlreadyExistsException", "alias exists")
	}
	return &kms.CreateAliasOutput{}, nil
}

func (f *fakeKeys) PutKeyPolicy(_ context.Context, in *kms.PutKeyPolicyInput, _ ...func(*kms.Options)) (*kms.PutKeyPolicyOutput, error) {
	f.calls = append(f.calls, "policy "+aws.ToString(in.KeyId))
	return &kms.PutKeyPolicyOutput{}, nil
}

func (f *fakeKeys) EnableKeyRotation(_ context.Context, in *kms.EnableKeyRotationInput, _ ...func(*kms.Options)) (*kms.EnableKeyRotationOutput, error) {
	f.calls = append(f.calls, "rotate "+aws.ToString(in.KeyId))
	return &kms.EnableKeyRotationOutput{}, nil
}

func TestEnsureArchiveKey(t *testing.T) {
	ctx := context.Background()
	key := archiveKey{Alias: "alias/baseline-cloudtrail", Policy: []iamStatement{{Effect: "Allow"}}}
	// A run killed between CreateKey and CreateAlias left a tagged key: it
	// is aliased, not duplicated.
	orphan := &fakeKeys{tagged: map[string]string{"aws-managed": "", "orphan": key.Alias, "other": "alias/x"}}
	if err := ensureArchiveKey(ctx, orphan, key); err != nil {
		t.Fatal(err)
	}
	if orphan.created != 0 || strings.Join(orphan.calls, ",") != "alias orphan,policy orphan,rotate orphan" {
		t.Fatalf("orphan key: created %d, calls %v", orphan.created, orphan.calls)
	}
	// The alias exists: its key gets the policy and rotation.
	existing := &fakeKeys{aliased: "k1"}
	if err := ensureArchiveKey(ctx, existing, key); err != nil || existing.created != 0 {
		t.Fatalf("existing key: %v, created %d", err, existing.created)
	}
	fresh := &fakeKeys{}
	if err := ensureArchiveKey(ctx, fresh, key); err != nil || fresh.created != 1 {
		t.Fatalf("new key: %v, created %d", err, fresh.created)
	}
}

type fakeTrails struct {
	createErr error
	calls     []string
	update    *cloudtrail.UpdateTrailInput
}

func (f *fakeTrails) CreateTrail(context.Context, *cloudtrail.CreateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error) {
	f.calls = append(f.calls, "create")
	return &cloudtrail.CreateTrailOutput{}, f.createErr
}

func (f *fakeTrails) UpdateTrail(_ context.Context, in *cloudtrail.UpdateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error) {
	f.calls, f.update = append(f.calls, "update"), in
	return &cloudtrail.UpdateTrailOutput{}, nil
}

func (f *fakeTrails) PutEventSelectors(_ context.Context, in *cloudtrail.PutEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.PutEventSelectorsOutput, error) {
	f.calls = append(f.calls, "selectors")
	return &cloudtrail.PutEventSelectorsOutput{}, nil
}

func (f *fakeTrails) StartLogging(context.Context, *cloudtrail.StartLoggingInput, ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error) {
	f.calls = append(f.calls, "start")
	return &cloudtrail.StartLoggingOutput{}, nil
}

func TestCreateOrgTrail(t *testing.T) {
	ctx := context.Background()
	spec := orgTrailSpec{Name: "baseline-org-trail", MultiRegion: true, Organization: true, IncludeGlobalEvents: true, LogFileValidation: true,
		S3Bucket: "b", Selectors: withS3DataEvents(nil, "aws")}
	// A trail of that name (an interrupted run's, an account trail) is
	// given the spec's settings, made an organization trail included.
	exists := &fakeTrails{createErr: awsErr("TrailAlreadyExistsException", "exists")}
	if err := createOrgTrail(ctx, exists, spec); err != nil {
		t.Fatal(err)
	}
	if strings.Join(exists.calls, ",") != "create,update,selectors,start" || !aws.ToBool(exists.update.IsOrganizationTrail) ||
		!aws.ToBool(exists.update.IsMultiRegionTrail) || aws.ToString(exists.update.S3BucketName) != "b" {
		t.Fatalf("calls %v, update %+v", exists.calls, exists.update)
	}
	// A bucket policy CloudTrail does not see yet is waited for.
	early := &fakeTrails{createErr: awsErr("InsufficientS3BucketPolicyException", "bucket policy")}
	if err := createOrgTrail(ctx, early, spec); !catalog.IsRetryable(err) {
		t.Fatalf("refused bucket policy: %v, want retryable", err)
	}
}

type fakePipeline struct {
	policy      *cloudwatchlogs.PutAccountPolicyInput
	destPolicy  string
	err         error
	destination string
}

func (f *fakePipeline) PutAccountPolicy(_ context.Context, in *cloudwatchlogs.PutAccountPolicyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutAccountPolicyOutput, error) {
	f.policy = in
	return &cloudwatchlogs.PutAccountPolicyOutput{}, f.err
}

func (f *fakePipeline) PutDestination(_ context.Context, in *cloudwatchlogs.PutDestinationInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutDestinationOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.destination = "arn:aws:logs:us-east-1:555555555555:destination:" + aws.ToString(in.DestinationName)
	return &cloudwatchlogs.PutDestinationOutput{Destination: &logstypes.Destination{Arn: aws.String(f.destination)}}, nil
}

func (f *fakePipeline) PutDestinationPolicy(_ context.Context, in *cloudwatchlogs.PutDestinationPolicyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutDestinationPolicyOutput, error) {
	f.destPolicy = aws.ToString(in.AccessPolicy)
	return &cloudwatchlogs.PutDestinationPolicyOutput{}, nil
}

func TestLogsAccountPolicyOp(t *testing.T) {
	ctx := context.Background()
	f := &fakePipeline{}
	dest := "arn:aws:logs:us-east-1:555555555555:destination:baseline-central-logs"
	if err := putLogsAccountPolicy(ctx, f, logsAccountPolicy{Name: "baseline-central-logs", DestinationArn: dest, Excluded: []string{"/own", "/b"}}); err != nil {
		t.Fatal(err)
	}
	var doc struct{ DestinationArn, FilterPattern string }
	if err := json.Unmarshal([]byte(aws.ToString(f.policy.PolicyDocument)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.DestinationArn != dest || f.policy.PolicyType != logstypes.PolicyTypeSubscriptionFilterPolicy || f.policy.Scope != logstypes.ScopeAll ||
		aws.ToString(f.policy.SelectionCriteria) != `LogGroupName NOT IN ["/own","/b"]` {
		t.Fatalf("policy input: %+v (document %+v)", f.policy, doc)
	}
	// The destination's policy may not be visible yet from the member.
	denied := &fakePipeline{err: awsErr("AccessDeniedException", "not authorized to use destination")}
	if err := putLogsAccountPolicy(ctx, denied, logsAccountPolicy{Name: "p", DestinationArn: dest}); !catalog.IsRetryable(err) {
		t.Fatalf("refused destination: %v, want retryable", err)
	}
}

func TestLogsDestinationOp(t *testing.T) {
	ctx := context.Background()
	f := &fakePipeline{}
	if err := putLogsDestination(ctx, f, logsDestinationSpec{Name: "baseline-central-logs", OrganizationID: "o-1"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.destPolicy, `"aws:PrincipalOrgID":"o-1"`) || !strings.Contains(f.destPolicy, f.destination) ||
		!strings.Contains(f.destPolicy, "logs:PutAccountPolicy") {
		t.Fatalf("destination policy: %s", f.destPolicy)
	}
	early := &fakePipeline{err: awsErr("InvalidParameterException", "could not deliver test message")}
	if err := putLogsDestination(ctx, early, logsDestinationSpec{Name: "d"}); !catalog.IsRetryable(err) {
		t.Fatalf("role not yet usable: %v, want retryable", err)
	}
}

type fakeStreams struct{ err error }

func (f fakeStreams) CreateDeliveryStream(context.Context, *firehose.CreateDeliveryStreamInput, ...func(*firehose.Options)) (*firehose.CreateDeliveryStreamOutput, error) {
	return &firehose.CreateDeliveryStreamOutput{}, f.err
}

func TestCreateLogsStreamOp(t *testing.T) {
	ctx := context.Background()
	if err := createLogsStream(ctx, fakeStreams{err: awsErr("ResourceInUseException", "exists")}, logsStreamSpec{Name: "s"}); err != nil {
		t.Fatalf("existing stream: %v", err)
	}
	if err := createLogsStream(ctx, fakeStreams{err: awsErr("InvalidArgumentException", "Firehose is unable to assume role")}, logsStreamSpec{Name: "s"}); !catalog.IsRetryable(err) {
		t.Fatalf("role not yet assumable: %v, want retryable", err)
	}
	if err := createLogsStream(ctx, fakeStreams{err: awsErr("InvalidArgumentException", "bad prefix")}, logsStreamSpec{Name: "s"}); err == nil || catalog.IsRetryable(err) {
		t.Fatalf("invalid stream: %v, want a plain error", err)
	}
}

// A trail's own selectors are kept, of their kind, and what is added makes
// cloudtrail.s3-data-events pass.
func TestWithS3DataEvents(t *testing.T) {
	basic := []snapshot.EventSelector{{ReadWrite: "All", IncludeMgmt: true, ExcludeMgmtSources: []string{"kms.amazonaws.com"}}}
	for name, sels := range map[string][]snapshot.EventSelector{"basic": basic, "advanced": withS3DataEvents(nil, "aws")[:1], "none": nil} {
		got := withS3DataEvents(sels, "aws")
		if r, w := s3DataEvents(got); !r || !w {
			t.Errorf("%s: %+v does not log S3 object reads and writes", name, got)
		}
		in := selectorsInput("t", got)
		if len(in.EventSelectors) > 0 && len(in.AdvancedEventSelectors) > 0 {
			t.Errorf("%s: basic and advanced selectors mixed: %+v", name, in)
		}
		if name == "basic" && (len(in.EventSelectors) != 2 || in.EventSelectors[0].ExcludeManagementEventSources[0] != "kms.amazonaws.com") {
			t.Errorf("basic: %+v, want the trail's selector kept as it was and one added", in.EventSelectors)
		}
		if name == "none" && (len(in.AdvancedEventSelectors) != 2 || in.AdvancedEventSelectors[0].FieldSelectors[0].Equals[0] != "Management") {
			t.Errorf("none: %+v, want the management events kept explicitly", in.AdvancedEventSelectors)
		}
	}
}
