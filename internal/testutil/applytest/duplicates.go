package applytest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// NoDuplicates fails the test when apply made something twice. Only the
// resources whose APIs do not reject a second copy by name can be
// duplicated: KMS keys, flow logs, query-logging configs, subscriptions,
// backup plans and access keys.
func NoDuplicates(t testing.TB, e *Env) {
	t.Helper()
	ctx := context.Background()
	names := append([]string{"management"}, memberNames()...)
	for _, name := range names {
		for _, region := range Regions {
			cfg := e.Config(name, region)
			where := fmt.Sprintf("%s %s", name, region)
			for _, d := range []func(context.Context, aws.Config) ([]string, error){managedKeys, flowLogs, queryLogConfigs, subscriptions, backupPlans} {
				dups, err := d(ctx, cfg)
				report(t, where, dups, err)
			}
		}
		dups, err := accessKeys(ctx, e.Config(name, Regions[0]))
		report(t, name, dups, err)
	}
}

// report fails the test on each duplicate, and when the listing itself
// failed: a check that could not look must not pass.
func report(t testing.TB, where string, dups []string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: cannot look for duplicates: %v", where, err)
	}
	for _, dup := range dups {
		t.Errorf("%s: duplicate %s", where, dup)
	}
}

func memberNames() []string {
	return []string{"security", "log-archive", "shared-services", "workload"}
}

// counted returns the keys seen more than once.
func counted(what string, keys []string) []string {
	n := map[string]int{}
	for _, k := range keys {
		n[k]++
	}
	var out []string
	for _, k := range catalog.SortedKeys(n) {
		if n[k] > 1 {
			out = append(out, fmt.Sprintf("%s %s (%d)", what, k, n[k]))
		}
	}
	return out
}

// managedKeys: every KMS key apply made carries an alias; a key without one
// is a copy left by a crash between CreateKey and CreateAlias.
func managedKeys(ctx context.Context, cfg aws.Config) ([]string, error) {
	api := kms.NewFromConfig(cfg)
	aliased := map[string]bool{}
	aliases, err := api.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		return nil, err
	}
	for _, a := range aliases.Aliases {
		aliased[aws.ToString(a.TargetKeyId)] = true
	}
	keys, err := api.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys.Keys {
		tags, err := api.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId})
		if err != nil {
			continue
		}
		for _, tag := range tags.Tags {
			if aws.ToString(tag.TagKey) == catalog.ManagedTagKey && !aliased[aws.ToString(k.KeyId)] {
				out = append(out, "KMS key without alias "+aws.ToString(k.KeyId))
			}
		}
	}
	return out, nil
}

func flowLogs(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := ec2.NewFromConfig(cfg).DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, f := range out.FlowLogs {
		keys = append(keys, aws.ToString(f.ResourceId)+" → "+aws.ToString(f.LogDestination)+aws.ToString(f.LogGroupName))
	}
	return counted("flow log", keys), nil
}

func queryLogConfigs(ctx context.Context, cfg aws.Config) ([]string, error) {
	api := route53resolver.NewFromConfig(cfg)
	var keys []string
	configs, err := api.ListResolverQueryLogConfigs(ctx, &route53resolver.ListResolverQueryLogConfigsInput{})
	if err != nil {
		return nil, err
	}
	for _, c := range configs.ResolverQueryLogConfigs {
		keys = append(keys, "config "+aws.ToString(c.Name))
	}
	assocs, err := api.ListResolverQueryLogConfigAssociations(ctx, &route53resolver.ListResolverQueryLogConfigAssociationsInput{})
	if err != nil {
		return nil, err
	}
	for _, a := range assocs.ResolverQueryLogConfigAssociations {
		keys = append(keys, "association "+aws.ToString(a.ResourceId))
	}
	return counted("query logging", keys), nil
}

func subscriptions(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := sns.NewFromConfig(cfg).ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, s := range out.Subscriptions {
		keys = append(keys, aws.ToString(s.TopicArn)+" → "+aws.ToString(s.Endpoint))
	}
	return counted("subscription", keys), nil
}

func backupPlans(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := backup.NewFromConfig(cfg).ListBackupPlans(ctx, &backup.ListBackupPlansInput{})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, p := range out.BackupPlansList {
		keys = append(keys, aws.ToString(p.BackupPlanName))
	}
	return counted("backup plan", keys), nil
}

// accessKeys: users apply made (the honeytoken) hold one key.
func accessKeys(ctx context.Context, cfg aws.Config) ([]string, error) {
	api := iam.NewFromConfig(cfg)
	users, err := api.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range users.Users {
		keys, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u.UserName})
		if err != nil {
			return nil, err
		}
		if len(keys.AccessKeyMetadata) > 1 {
			out = append(out, fmt.Sprintf("access keys of %s (%d)", aws.ToString(u.UserName), len(keys.AccessKeyMetadata)))
		}
	}
	return out, nil
}
