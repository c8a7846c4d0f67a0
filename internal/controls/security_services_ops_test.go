package controls

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// The ops the emulator cannot run (Access Analyzer, Security Hub
// standards) or cannot make fail the way AWS does, against fakes of their
// narrow interfaces.

func awsErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

type fakeAnalyzers struct {
	got []*accessanalyzer.CreateAnalyzerInput
	err error
}

func (f *fakeAnalyzers) CreateAnalyzer(_ context.Context, in *accessanalyzer.CreateAnalyzerInput, _ ...func(*accessanalyzer.Options)) (*accessanalyzer.CreateAnalyzerOutput, error) {
	f.got = append(f.got, in)
	return &accessanalyzer.CreateAnalyzerOutput{}, f.err
}

func TestCreateAnalyzerOp(t *testing.T) {
	ctx := context.Background()
	org := analyzerSpec{Name: "baseline-access-analyzer", Type: "ORGANIZATION", Tags: catalog.ManagedTags(nil)}
	f := &fakeAnalyzers{}
	if err := createAnalyzer(ctx, f, org); err != nil {
		t.Fatal(err)
	}
	if in := f.got[0]; aws.ToString(in.AnalyzerName) != org.Name || in.Type != "ORGANIZATION" || in.Tags["managed-by"] != "baseline" {
		t.Fatalf("create input: %+v", in)
	}
	// A re-run finds the analyzer of its name: done.
	if err := createAnalyzer(ctx, &fakeAnalyzers{err: awsErr("ConflictException", "analyzer exists")}, org); err != nil {
		t.Fatalf("existing analyzer: %v", err)
	}
	// Right after the delegation the security account is not yet seen as
	// administrator: retried, unlike the same refusal of an account analyzer.
	denied := &fakeAnalyzers{err: awsErr("ValidationException", "not a delegated administrator")}
	if err := createAnalyzer(ctx, denied, org); !catalog.IsRetryable(err) {
		t.Fatalf("organization analyzer before the delegation settles: %v, want retryable", err)
	}
	if err := createAnalyzer(ctx, denied, analyzerSpec{Name: "a", Type: "ACCOUNT"}); err == nil || catalog.IsRetryable(err) {
		t.Fatalf("account analyzer refused: %v, want a plain error", err)
	}
}

type fakeHub struct {
	enabled   bool
	standards []string
}

func (f *fakeHub) EnableSecurityHub(_ context.Context, in *securityhub.EnableSecurityHubInput, _ ...func(*securityhub.Options)) (*securityhub.EnableSecurityHubOutput, error) {
	if f.enabled {
		return nil, awsErr("ResourceConflictException", "Account is already subscribed to Security Hub")
	}
	f.enabled = aws.ToBool(in.EnableDefaultStandards) && in.Tags["managed-by"] == "baseline"
	return &securityhub.EnableSecurityHubOutput{}, nil
}

func (f *fakeHub) BatchEnableStandards(_ context.Context, in *securityhub.BatchEnableStandardsInput, _ ...func(*securityhub.Options)) (*securityhub.BatchEnableStandardsOutput, error) {
	for _, r := range in.StandardsSubscriptionRequests {
		f.standards = append(f.standards, aws.ToString(r.StandardsArn))
	}
	return &securityhub.BatchEnableStandardsOutput{}, nil
}

func TestSecurityHubOps(t *testing.T) {
	ctx := context.Background()
	f := &fakeHub{}
	h := hubSpec{DefaultStandards: true, Tags: catalog.ManagedTags(nil)}
	if err := enableHub(ctx, f, h); err != nil || !f.enabled {
		t.Fatalf("enable: %v (enabled with default standards and tags: %v)", err, f.enabled)
	}
	if err := enableHub(ctx, f, h); err != nil {
		t.Fatalf("enabling again: %v", err)
	}
	if err := enableStandards(ctx, f, []string{fsbpStandard("eu-west-1")}); err != nil ||
		len(f.standards) != 1 || f.standards[0] != "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0" {
		t.Fatalf("standards: %v %v", f.standards, err)
	}
}

type fakeLinkedRoles struct{ err error }

func (f fakeLinkedRoles) CreateServiceLinkedRole(context.Context, *iam.CreateServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error) {
	return &iam.CreateServiceLinkedRoleOutput{}, f.err
}

// AWS refuses a second service-linked role with InvalidInput (the
// emulator with EntityAlreadyExists): both mean it exists.
func TestLinkedRoleExists(t *testing.T) {
	r := linkedRole{Service: configService}
	taken := awsErr("InvalidInput", "Service role name AWSServiceRoleForConfig has been taken in this account, please try a different suffix.")
	for _, err := range []error{taken, awsErr("EntityAlreadyExists", "exists")} {
		if got := ensureLinkedRole(context.Background(), fakeLinkedRoles{err}, r); got != nil {
			t.Fatalf("%v: %v", err, got)
		}
	}
	if got := ensureLinkedRole(context.Background(), fakeLinkedRoles{awsErr("InvalidInput", "bad service")}, r); got == nil {
		t.Fatal("another InvalidInput passed")
	}
}
