package collect

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// fakeSecrets has a secret shared by its resource policy (shared), one
// without a policy (private) and one whose policy is denied (denied).
type fakeSecrets struct{ listErr error }

func (f fakeSecrets) ListSecrets(context.Context, *secretsmanager.ListSecretsInput, ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	var list []smtypes.SecretListEntry
	for _, n := range []string{"shared", "private", "denied"} {
		list = append(list, smtypes.SecretListEntry{Name: aws.String(n), ARN: aws.String("arn:aws:secretsmanager:us-east-1:111111111111:secret:" + n + "-AbCdEf")})
	}
	return &secretsmanager.ListSecretsOutput{SecretList: list}, nil
}

func (fakeSecrets) GetResourcePolicy(_ context.Context, in *secretsmanager.GetResourcePolicyInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetResourcePolicyOutput, error) {
	switch id := aws.ToString(in.SecretId); {
	case strings.Contains(id, ":shared-"):
		return &secretsmanager.GetResourcePolicyOutput{ResourcePolicy: aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`)}, nil
	case strings.Contains(id, ":private-"):
		return &secretsmanager.GetResourcePolicyOutput{}, nil
	}
	return nil, errAccessDenied
}

func TestSecretsManagerCollectorReadsResourcePolicies(t *testing.T) {
	task, snap := fakeTask(t, "secretsmanager", "us-east-1")
	collectSecretsManager(context.Background(), task, fakeSecrets{})
	secrets := task.Account.Regions["us-east-1"].SecretsManager.Secrets
	if len(secrets) != 3 || secrets[0].Policy == "" || secrets[1].Policy != "" || secrets[2].Policy != "" {
		t.Fatalf("secrets = %+v", secrets)
	}
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"secretsmanager:GetResourcePolicy " + secrets[2].Arn}) {
		t.Fatalf("recorded %v", got)
	}
}

func TestSecretsManagerCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "secretsmanager", "us-east-1")
	collectSecretsManager(context.Background(), task, fakeSecrets{listErr: errAccessDenied})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"secretsmanager:ListSecrets"}) || task.Account.Regions["us-east-1"].SecretsManager != nil {
		t.Fatalf("recorded %v", got)
	}
	expectDenied(t, snap(), "org.external-trust")
}
