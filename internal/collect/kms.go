package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "kms", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectKMS(ctx, t, kms.NewFromConfig(t.Config))
	}})
}

// kmsAPI is the read-only part of KMS we call.
type kmsAPI interface {
	ListKeys(context.Context, *kms.ListKeysInput, ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	ListAliases(context.Context, *kms.ListAliasesInput, ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyRotationStatus(context.Context, *kms.GetKeyRotationStatusInput, ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
	GetKeyPolicy(context.Context, *kms.GetKeyPolicyInput, ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
}

// collectKMS keeps the customer-managed keys of the region. ListKeys does not
// say who manages a key, but AWS-managed keys are the targets of the reserved
// alias/aws/ aliases: skipping them saves a DescribeKey for most keys.
func collectKMS(ctx context.Context, t *Task, api kmsAPI) {
	var ids []string
	awsManaged := map[string]bool{}
	listed := true
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 0 {
			p := kms.NewListKeysPaginator(api, &kms.ListKeysInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if t.Failed("ListKeys", err) {
					listed = false
					return
				}
				for _, k := range page.Keys {
					ids = append(ids, aws.ToString(k.KeyId))
				}
			}
			return
		}
		// Without the aliases every key is described: slower, still exact.
		p := kms.NewListAliasesPaginator(api, &kms.ListAliasesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if t.Failed("ListAliases", err) {
				clear(awsManaged)
				return
			}
			for _, a := range page.Aliases {
				if strings.HasPrefix(aws.ToString(a.AliasName), "alias/aws/") && a.TargetKeyId != nil {
					awsManaged[*a.TargetKeyId] = true
				}
			}
		}
	})
	if !listed {
		return
	}
	var candidates []string
	for _, id := range ids {
		if !awsManaged[id] {
			candidates = append(candidates, id)
		}
	}
	keys := make([]*snapshot.Key, len(candidates))
	t.Fan(ctx, len(candidates), func(ctx context.Context, i int) {
		keys[i] = customerKey(ctx, t, api, candidates[i])
	})
	out := &snapshot.KMS{}
	for _, k := range keys {
		if k != nil {
			out.Keys = append(out.Keys, *k)
		}
	}
	t.Account.Regions[t.Region].KMS = out
}

// customerKey describes a key, reads its policy and, when rotation applies
// to it, its rotation status. It returns nil for AWS-managed keys and
// undescribable ones.
func customerKey(ctx context.Context, t *Task, api kmsAPI, id string) *snapshot.Key {
	d, err := api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if awsx.IsNotFound(err) || t.FailedOn("DescribeKey", id, err) {
		return nil
	}
	m := d.KeyMetadata
	if m.KeyManager != kmstypes.KeyManagerTypeCustomer {
		return nil
	}
	k := &snapshot.Key{ID: aws.ToString(m.KeyId), Arn: aws.ToString(m.Arn), Spec: string(m.KeySpec),
		State: string(m.KeyState), Origin: string(m.Origin)}
	// "default" is the only policy name KMS has.
	pol, err := api.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	if !t.FailedOn("GetKeyPolicy", k.Arn, err) {
		k.Policy = aws.ToString(pol.Policy)
	}
	if !k.Rotatable() {
		return k
	}
	r, err := api.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if !t.FailedOn("GetKeyRotationStatus", k.Arn, err) {
		k.RotationEnabled = r.KeyRotationEnabled
	}
	return k
}
