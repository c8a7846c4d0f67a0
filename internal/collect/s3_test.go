package collect

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
)

var errNoSuch = &smithy.GenericAPIError{Code: "NoSuchConfiguration", Message: "not configured"}

// fakeS3 has one bucket, "logs", in eu-west-1 (region given by ListBuckets,
// or only by GetBucketLocation when legacy is set). Every read fails with
// err when set; otherwise the bucket has policy, and status is AWS's
// verdict on it, and nothing else is configured.
type fakeS3 struct {
	err    error
	legacy bool
	policy string
	status *bool
}

func (f *fakeS3) fail() error { return f.err }

func (f *fakeS3) GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	return nil, firstErr(f.err, errNoSuch)
}

// firstErr is the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (f *fakeS3) ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	b := s3types.Bucket{Name: aws.String("logs")}
	if !f.legacy {
		b.BucketRegion = aws.String("eu-west-1")
	}
	return &s3.ListBucketsOutput{Buckets: []s3types.Bucket{b}}, nil
}
func (f *fakeS3) GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	return &s3.GetBucketLocationOutput{LocationConstraint: s3types.BucketLocationConstraintEuWest1}, f.fail()
}
func (f *fakeS3) GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	if f.policy == "" {
		return nil, firstErr(f.err, &smithy.GenericAPIError{Code: "NoSuchBucketPolicy"})
	}
	return &s3.GetBucketPolicyOutput{Policy: aws.String(f.policy)}, f.fail()
}
func (f *fakeS3) GetBucketPolicyStatus(context.Context, *s3.GetBucketPolicyStatusInput, ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error) {
	return &s3.GetBucketPolicyStatusOutput{PolicyStatus: &s3types.PolicyStatus{IsPublic: f.status}}, f.fail()
}
func (f *fakeS3) GetBucketAcl(context.Context, *s3.GetBucketAclInput, ...func(*s3.Options)) (*s3.GetBucketAclOutput, error) {
	return &s3.GetBucketAclOutput{}, f.fail()
}
func (f *fakeS3) GetBucketVersioning(context.Context, *s3.GetBucketVersioningInput, ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	return &s3.GetBucketVersioningOutput{}, f.fail()
}
func (f *fakeS3) GetBucketEncryption(context.Context, *s3.GetBucketEncryptionInput, ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	return nil, firstErr(f.err, errNoSuch)
}
func (f *fakeS3) GetBucketLogging(context.Context, *s3.GetBucketLoggingInput, ...func(*s3.Options)) (*s3.GetBucketLoggingOutput, error) {
	return &s3.GetBucketLoggingOutput{}, f.fail()
}
func (f *fakeS3) GetBucketReplication(context.Context, *s3.GetBucketReplicationInput, ...func(*s3.Options)) (*s3.GetBucketReplicationOutput, error) {
	return nil, firstErr(f.err, errNoSuch)
}
func (f *fakeS3) ListBucketInventoryConfigurations(context.Context, *s3.ListBucketInventoryConfigurationsInput, ...func(*s3.Options)) (*s3.ListBucketInventoryConfigurationsOutput, error) {
	return &s3.ListBucketInventoryConfigurationsOutput{}, f.fail()
}
func (f *fakeS3) GetBucketLifecycleConfiguration(context.Context, *s3.GetBucketLifecycleConfigurationInput, ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error) {
	return nil, firstErr(f.err, errNoSuch)
}
func (f *fakeS3) GetObjectLockConfiguration(context.Context, *s3.GetObjectLockConfigurationInput, ...func(*s3.Options)) (*s3.GetObjectLockConfigurationOutput, error) {
	return nil, firstErr(f.err, errNoSuch)
}
func (f *fakeS3) GetBucketTagging(context.Context, *s3.GetBucketTaggingInput, ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	return nil, firstErr(f.err, errNoSuch)
}
func (f *fakeS3) GetBucketNotificationConfiguration(context.Context, *s3.GetBucketNotificationConfigurationInput, ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error) {
	return &s3.GetBucketNotificationConfigurationOutput{}, f.fail()
}

// fakeS3Control answers the account's Block Public Access read.
type fakeS3Control struct{ err error }

func (f fakeS3Control) GetPublicAccessBlock(context.Context, *s3control.GetPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error) {
	return nil, firstErr(f.err, &smithy.GenericAPIError{Code: "NoSuchPublicAccessBlockConfiguration"})
}

func TestS3CollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "s3", "")
	f := &fakeS3{err: errAccessDenied}
	collectS3(context.Background(), task, fakeS3Control{err: errAccessDenied}, f, func(string) s3API { return f })
	if got, want := recordedOps(t, snap()), []string{"s3:ListBuckets", "s3control:GetPublicAccessBlock"}; !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
	expectDenied(t, snap(), "s3.account-public-access-block", "s3.bucket-not-public", "s3.bucket-tls-only", "s3.access-log-bucket")
}

func TestS3CollectorRecordsBucketDenials(t *testing.T) {
	// The bucket is listed, then every read of it is denied: each bucket
	// check reports ERROR for that bucket, naming the read.
	task, snap := fakeTask(t, "s3", "")
	f := &fakeS3{legacy: true}
	deny := &fakeS3{err: errAccessDenied, legacy: true}
	collectS3(context.Background(), task, fakeS3Control{}, f, func(string) s3API { return deny })
	want := []string{"s3:GetBucketAcl logs", "s3:GetBucketEncryption logs", "s3:GetBucketLifecycleConfiguration logs", "s3:GetBucketLogging logs",
		"s3:GetBucketNotificationConfiguration logs", "s3:GetBucketPolicy logs", "s3:GetBucketReplication logs", "s3:GetBucketTagging logs", "s3:GetBucketVersioning logs",
		"s3:GetObjectLockConfiguration logs", "s3:GetPublicAccessBlock logs", "s3:ListBucketInventoryConfigurations logs"}
	if got := recordedOps(t, snap()); !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
	if b := snap().Accounts[0].Global.S3.Buckets[0]; b.Region != "eu-west-1" {
		t.Fatalf("bucket region %q, want eu-west-1 from GetBucketLocation", b.Region)
	}
	expectDenied(t, snap(), "s3.bucket-not-public", "s3.bucket-tls-only", "s3.access-log-bucket")
}

const restrictedPolicy = `{"Statement":[{"Sid":"Partner","Effect":"Allow","Principal":"*","Action":"s3:GetObject",` +
	`"Resource":"arn:aws:s3:::logs/*","Condition":{"StringEquals":{"aws:SourceAccount":"222222222222"}}}]}`
const publicPolicy = `{"Statement":[{"Sid":"Open","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::logs/*"}]}`

// The emulator answers GetBucketPolicyStatus with no verdict; AWS's own
// verdict, when there is one, wins over our reading of the statements.
func TestS3PolicyStatusDecidesPublicity(t *testing.T) {
	for _, c := range []struct {
		name   string
		policy string
		status *bool
		want   catalog.Status
		reason string
	}{
		{"no verdict, restricted statement", restrictedPolicy, nil, catalog.StatusPass, "grants nothing to the public"},
		{"no verdict, public statement", publicPolicy, nil, catalog.StatusFail, `statement "Open" allows s3:* to anyone`},
		{"AWS says public", restrictedPolicy, aws.Bool(true), catalog.StatusFail, "AWS evaluates its bucket policy as public"},
		{"AWS says private", publicPolicy, aws.Bool(false), catalog.StatusPass, "grants nothing to the public"},
	} {
		t.Run(c.name, func(t *testing.T) {
			task, snap := fakeTask(t, "s3", "")
			f := &fakeS3{policy: c.policy, status: c.status}
			collectS3(context.Background(), task, fakeS3Control{}, f, func(region string) s3API {
				if region != "eu-west-1" {
					t.Errorf("bucket read in %s, want its region eu-west-1", region)
				}
				return f
			})
			if len(snap().Errors) > 0 {
				t.Fatalf("errors: %+v", snap().Errors)
			}
			c1, _ := catalog.Get("s3.bucket-not-public")
			res := audit.Run(snap(), audit.Options{Settings: catalog.Defaults(), Controls: []*catalog.Control{c1}})
			if len(res.Findings) != 1 || res.Findings[0].Status != c.want || !strings.Contains(res.Findings[0].Reason, c.reason) {
				t.Fatalf("findings %+v, want %s containing %q", res.Findings, c.want, c.reason)
			}
		})
	}
}

// Off AWS, S3 Control must not put the account id in the host name; on AWS
// it must.
func TestS3ControlEndpoint(t *testing.T) {
	resolve := func(base string) string {
		cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")}
		if base != "" {
			cfg.BaseEndpoint = aws.String(base)
		}
		var host string
		_, _ = S3Control(cfg).GetPublicAccessBlock(context.Background(), &s3control.GetPublicAccessBlockInput{AccountId: aws.String("111111111111")},
			func(o *s3control.Options) {
				o.APIOptions = append(o.APIOptions, captureHost(&host))
			})
		return host
	}
	if got := resolve("http://127.0.0.1:4566"); got != "127.0.0.1:4566" {
		t.Errorf("emulator host = %q, want 127.0.0.1:4566", got)
	}
	if got := resolve(""); got != "111111111111.s3-control.us-east-1.amazonaws.com" {
		t.Errorf("AWS host = %q, want the account-prefixed host", got)
	}
}

// captureHost records the host a request is sent to, and stops it there.
func captureHost(host *string) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("captureHost",
			func(_ context.Context, in middleware.FinalizeInput, _ middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					*host = req.URL.Host
				}
				return middleware.FinalizeOutput{}, middleware.Metadata{}, errors.New("stopped before sending")
			}), middleware.After)
	}
}
