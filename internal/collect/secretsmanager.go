package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "secretsmanager", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectSecretsManager(ctx, t, secretsmanager.NewFromConfig(t.Config))
	}})
}

// secretsManagerAPI is the read-only part of Secrets Manager we call; it
// never reads a secret's value.
type secretsManagerAPI interface {
	ListSecrets(context.Context, *secretsmanager.ListSecretsInput, ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
	GetResourcePolicy(context.Context, *secretsmanager.GetResourcePolicyInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetResourcePolicyOutput, error)
}

// collectSecretsManager lists the region's secrets and reads each one's
// resource policy. A secret whose policy cannot be read is kept without
// one, its failure recorded against its ARN.
func collectSecretsManager(ctx context.Context, t *Task, api secretsManagerAPI) {
	var secrets []snapshot.Secret
	err := pages(ctx, secretsmanager.NewListSecretsPaginator(api, &secretsmanager.ListSecretsInput{}), func(p *secretsmanager.ListSecretsOutput) {
		for _, s := range p.SecretList {
			secrets = append(secrets, snapshot.Secret{Name: aws.ToString(s.Name), Arn: aws.ToString(s.ARN)})
		}
	})
	if t.Failed("ListSecrets", err) {
		return
	}
	t.Fan(ctx, len(secrets), func(ctx context.Context, i int) {
		s := &secrets[i]
		out, err := api.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(s.Arn)})
		if awsx.IsNotFound(err) || t.FailedOn("GetResourcePolicy", s.Arn, err) {
			return
		}
		s.Policy = aws.ToString(out.ResourcePolicy)
	})
	t.Account.Regions[t.Region].SecretsManager = &snapshot.SecretsManager{Secrets: secrets}
}
