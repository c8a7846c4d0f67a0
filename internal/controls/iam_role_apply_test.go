package controls

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/secure-baseline/baseline/internal/catalog"
)

type fakeRoles struct {
	trust    map[string]string
	inline   map[string]string // role → its inline policy named after it
	attached []string
	// settling fails the first write after CreateRole as IAM does while a
	// new role propagates.
	settling bool
}

func (f *fakeRoles) CreateRole(_ context.Context, in *iam.CreateRoleInput, _ ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	if _, ok := f.trust[aws.ToString(in.RoleName)]; ok {
		return nil, &iamtypes.EntityAlreadyExistsException{Message: aws.String("Role with name " + aws.ToString(in.RoleName) + " already exists.")}
	}
	if len(in.Tags) != 1 || aws.ToString(in.Tags[0].Key) != catalog.ManagedTagKey {
		return nil, fmt.Errorf("tags %+v", in.Tags)
	}
	f.trust[aws.ToString(in.RoleName)] = aws.ToString(in.AssumeRolePolicyDocument)
	return &iam.CreateRoleOutput{}, nil
}

func (f *fakeRoles) UpdateAssumeRolePolicy(_ context.Context, in *iam.UpdateAssumeRolePolicyInput, _ ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	f.trust[aws.ToString(in.RoleName)] = aws.ToString(in.PolicyDocument)
	return &iam.UpdateAssumeRolePolicyOutput{}, nil
}

func (f *fakeRoles) settle() error {
	if f.settling {
		f.settling = false
		return &iamtypes.NoSuchEntityException{Message: aws.String("The role with name x cannot be found.")}
	}
	return nil
}

func (f *fakeRoles) PutRolePolicy(_ context.Context, in *iam.PutRolePolicyInput, _ ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	if err := f.settle(); err != nil {
		return nil, err
	}
	if aws.ToString(in.PolicyName) != aws.ToString(in.RoleName) {
		return nil, fmt.Errorf("inline policy %s of role %s", aws.ToString(in.PolicyName), aws.ToString(in.RoleName))
	}
	f.inline[aws.ToString(in.RoleName)] = aws.ToString(in.PolicyDocument)
	return &iam.PutRolePolicyOutput{}, nil
}

func (f *fakeRoles) AttachRolePolicy(_ context.Context, in *iam.AttachRolePolicyInput, _ ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error) {
	if err := f.settle(); err != nil {
		return nil, err
	}
	if !slices.Contains(f.attached, aws.ToString(in.PolicyArn)) {
		f.attached = append(f.attached, aws.ToString(in.PolicyArn))
	}
	return &iam.AttachRolePolicyOutput{}, nil
}

// The emulator's roles are assumable at once; IAM's are not, and a role of
// the baseline's name may already exist with another trust.
func TestEnsureRoleOp(t *testing.T) {
	ctx := context.Background()
	want := roleSpec{Name: "baseline-audit", Trusted: []string{"222222222222"}, Policies: []string{"arn:aws:iam::aws:policy/SecurityAudit"}}
	f := &fakeRoles{trust: map[string]string{"baseline-audit": `{"Statement":[]}`}, inline: map[string]string{}, settling: true}
	if err := ensureRole(ctx, f, "aws", want); !catalog.IsRetryable(err) {
		t.Fatalf("attachment to a role still propagating: %v, want retryable", err)
	}
	if err := ensureRole(ctx, f, "aws", want); err != nil {
		t.Fatal(err)
	}
	accounts, _, err := trustedPrincipals(f.trust["baseline-audit"])
	if err != nil || !slices.Equal(accounts, want.Trusted) || !slices.Equal(f.attached, want.Policies) || len(f.inline) != 0 {
		t.Fatalf("role: trusts %v (%v), policies %v, inline %v", accounts, err, f.attached, f.inline)
	}
}

// A service role trusts the service on behalf of its account only, and
// carries its inline policy; writing it again changes nothing.
func TestEnsureServiceRoleOp(t *testing.T) {
	ctx := context.Background()
	want := roleSpec{Name: "baseline-vpc-flow-logs", Service: "vpc-flow-logs.amazonaws.com", SourceAccount: "111111111111",
		Inline: []iamStatement{{Effect: "Allow", Action: "logs:PutLogEvents", Resource: "*"}}}
	f := &fakeRoles{trust: map[string]string{}, inline: map[string]string{}, settling: true}
	if err := ensureRole(ctx, f, "aws", want); !catalog.IsRetryable(err) {
		t.Fatalf("inline policy of a role still propagating: %v, want retryable", err)
	}
	for range 2 {
		if err := ensureRole(ctx, f, "aws", want); err != nil {
			t.Fatal(err)
		}
	}
	trust := f.trust[want.Name]
	if !strings.Contains(trust, `"Service":"vpc-flow-logs.amazonaws.com"`) || !strings.Contains(trust, `"aws:SourceAccount":"111111111111"`) {
		t.Fatalf("trust %s", trust)
	}
	if got := f.inline[want.Name]; !strings.Contains(got, `"Action":"logs:PutLogEvents"`) || len(f.attached) != 0 {
		t.Fatalf("inline %s, attached %v", got, f.attached)
	}
}
