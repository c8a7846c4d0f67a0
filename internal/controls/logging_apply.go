package controls

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
)

// The KMS keys the log archive encrypts with; bucket_apply.go makes its
// buckets, iam_role_apply.go the roles services write to it through.

// archiveKey is a symmetric key apply creates: the After of "kms-key".
type archiveKey struct {
	Alias       string         `json:"alias"`
	Description string         `json:"description"`
	Policy      []iamStatement `json:"policy"`
}

// keyOps are the ops of the controls that create keys.
var keyOps = map[string]catalog.Op{
	"kms-key": decodedOp(func(ctx context.Context, cfg aws.Config, k archiveKey) error {
		return ensureArchiveKey(ctx, kms.NewFromConfig(cfg), k)
	}),
}

// planArchiveKey records the creation of key in account and region unless inUse
// says it exists, and returns its reference.
func planArchiveKey(p *catalog.Planner, account, region string, key archiveKey, inUse bool) string {
	w := p.At(account, region)
	arn := archiveKeyARN(region, account, key.Alias)
	if !inUse && !planned(p, w.Ref(arn)) {
		w.Create("kms-key", arn, key)
	}
	return w.Ref(arn)
}

func archiveKeyARN(region, account, alias string) string {
	return "arn:" + partitionOf(region) + ":kms:" + region + ":" + account + ":" + alias
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
	policy := aws.String(iamDocument(k.Policy...))
	id, err := archiveKeyByAlias(ctx, c, k.Alias)
	if err != nil {
		return err
	}
	if id == "" {
		tags := tagList(catalog.ManagedTags(map[string]string{archiveKeyAliasTag: k.Alias}), func(k, v *string) kmstypes.Tag {
			return kmstypes.Tag{TagKey: k, TagValue: v}
		})
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(k.Description), Policy: policy, Tags: tags})
		if err != nil {
			return err
		}
		id = aws.ToString(out.KeyMetadata.KeyId)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(id)}); err != nil &&
		!hasCode(err, "AlreadyExistsException") {
		return err
	}
	if _, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: policy, PolicyName: aws.String("default")}); err != nil {
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
