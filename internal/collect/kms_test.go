package collect

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// fakeKMS has an AWS-managed key (aws), a rotating customer key (cmk), an
// asymmetric customer key (rsa) and a customer key whose rotation status is
// denied (deny).
type fakeKMS struct {
	aliasErr error
	mu       sync.Mutex
	calls    []string

	// policyDenied is the key whose policy cannot be read.
	policyDenied string
}

func (f *fakeKMS) call(op, id string) {
	f.mu.Lock()
	f.calls = append(f.calls, op+" "+id)
	f.mu.Unlock()
}

func (f *fakeKMS) ListKeys(context.Context, *kms.ListKeysInput, ...func(*kms.Options)) (*kms.ListKeysOutput, error) {
	var keys []kmstypes.KeyListEntry
	for _, id := range []string{"aws", "cmk", "rsa", "deny"} {
		keys = append(keys, kmstypes.KeyListEntry{KeyId: aws.String(id)})
	}
	return &kms.ListKeysOutput{Keys: keys}, nil
}

func (f *fakeKMS) ListAliases(context.Context, *kms.ListAliasesInput, ...func(*kms.Options)) (*kms.ListAliasesOutput, error) {
	if f.aliasErr != nil {
		return nil, f.aliasErr
	}
	return &kms.ListAliasesOutput{Aliases: []kmstypes.AliasListEntry{
		{AliasName: aws.String("alias/aws/ebs"), TargetKeyId: aws.String("aws")},
		{AliasName: aws.String("alias/app"), TargetKeyId: aws.String("cmk")},
	}}, nil
}

func (f *fakeKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	id := aws.ToString(in.KeyId)
	f.call("DescribeKey", id)
	m := &kmstypes.KeyMetadata{KeyId: aws.String(id), Arn: aws.String("arn:aws:kms:us-east-1:111111111111:key/" + id),
		KeyManager: kmstypes.KeyManagerTypeCustomer, KeySpec: kmstypes.KeySpecSymmetricDefault, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt,
		KeyState: kmstypes.KeyStateEnabled, Origin: kmstypes.OriginTypeAwsKms}
	switch id {
	case "aws":
		m.KeyManager = kmstypes.KeyManagerTypeAws
	case "rsa":
		m.KeySpec, m.KeyUsage = kmstypes.KeySpecRsa2048, kmstypes.KeyUsageTypeSignVerify
	}
	return &kms.DescribeKeyOutput{KeyMetadata: m}, nil
}

func (f *fakeKMS) GetKeyRotationStatus(_ context.Context, in *kms.GetKeyRotationStatusInput, _ ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error) {
	f.call("GetKeyRotationStatus", aws.ToString(in.KeyId))
	if aws.ToString(in.KeyId) == "deny" {
		return nil, errAccessDenied
	}
	return &kms.GetKeyRotationStatusOutput{KeyRotationEnabled: true}, nil
}

func (f *fakeKMS) GetKeyPolicy(_ context.Context, in *kms.GetKeyPolicyInput, _ ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	if aws.ToString(in.KeyId) == f.policyDenied {
		return nil, errAccessDenied
	}
	return &kms.GetKeyPolicyOutput{Policy: aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"kms:Decrypt","Resource":"*"}]}`)}, nil
}

func TestKMSCollectorReadsKeyPolicies(t *testing.T) {
	task, snap := fakeTask(t, "kms", "us-east-1")
	collectKMS(context.Background(), task, &fakeKMS{policyDenied: "rsa"})
	keys := task.Account.Regions["us-east-1"].KMS.Keys
	if len(keys) != 3 || keys[0].ID != "cmk" || keys[0].Policy == "" || keys[1].ID != "rsa" || keys[1].Policy != "" {
		t.Fatalf("keys = %+v", keys)
	}
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"kms:GetKeyPolicy " + keys[1].Arn, "kms:GetKeyRotationStatus " + keys[2].Arn}) {
		t.Fatalf("recorded %v", got)
	}
}

func TestKMSCollectorSkipsAWSManagedKeys(t *testing.T) {
	task, snap := fakeTask(t, "kms", "us-east-1")
	api := &fakeKMS{}
	collectKMS(context.Background(), task, api)
	slices.Sort(api.calls)
	want := []string{"DescribeKey cmk", "DescribeKey deny", "DescribeKey rsa", "GetKeyRotationStatus cmk", "GetKeyRotationStatus deny"}
	if !slices.Equal(api.calls, want) {
		t.Errorf("calls = %v, want %v", api.calls, want)
	}
	keys := task.Account.Regions["us-east-1"].KMS.Keys
	if len(keys) != 3 || !keys[0].RotationEnabled || keys[0].ID != "cmk" || keys[1].Rotatable() {
		t.Errorf("keys = %+v", keys)
	}
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "GetKeyRotationStatus" || errs[0].Resource != keys[2].Arn {
		t.Errorf("errors = %+v", errs)
	}
}

func TestKMSCollectorDescribesEveryKeyWithoutAliases(t *testing.T) {
	task, snap := fakeTask(t, "kms", "us-east-1")
	api := &fakeKMS{aliasErr: errAccessDenied}
	collectKMS(context.Background(), task, api)
	if len(task.Account.Regions["us-east-1"].KMS.Keys) != 3 || !slices.Contains(api.calls, "DescribeKey aws") {
		t.Errorf("calls = %v", api.calls)
	}
	if errs := snap().Errors; len(errs) != 2 || errs[0].Operation != "ListAliases" && errs[1].Operation != "ListAliases" {
		t.Errorf("errors = %+v", errs)
	}
}
