package collect

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "logs", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectLogs(ctx, t, cloudwatchlogs.NewFromConfig(t.Config))
	}})
}

// logsAPI is the read-only part of CloudWatch Logs we call.
type logsAPI interface {
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	DescribeMetricFilters(context.Context, *cloudwatchlogs.DescribeMetricFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error)
	DescribeAccountPolicies(context.Context, *cloudwatchlogs.DescribeAccountPoliciesInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeAccountPoliciesOutput, error)
	DescribeSubscriptionFilters(context.Context, *cloudwatchlogs.DescribeSubscriptionFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeSubscriptionFiltersOutput, error)
}

// collectLogs reads the region's log groups, all its metric filters in one
// listing, and the account-level subscription policy; then, in parallel, the
// subscription filters of the groups that policy does not cover. Each part
// is kept when another failed: the checks name the failed read.
func collectLogs(ctx context.Context, t *Task, api logsAPI) {
	l := &snapshot.Logs{}
	listed := true
	t.Fan(ctx, 3, func(ctx context.Context, i int) {
		switch i {
		case 0:
			l.Groups, listed = logGroups(ctx, t, api)
		case 1:
			l.MetricFilters = metricFilters(ctx, t, api)
		case 2:
			l.SubscriptionPolicy = subscriptionPolicy(ctx, t, api)
		}
	})
	t.Account.Regions[t.Region].Logs = l
	if !listed {
		return
	}
	var todo []int
	for i, g := range l.Groups {
		if !l.SubscriptionPolicy.Covers(g.Name) {
			todo = append(todo, i)
		}
	}
	t.Fan(ctx, len(todo), func(ctx context.Context, i int) {
		g := &l.Groups[todo[i]]
		g.Subscriptions = subscriptionFilters(ctx, t, api, g)
	})
}

func logGroups(ctx context.Context, t *Task, api logsAPI) ([]snapshot.LogGroup, bool) {
	var out []snapshot.LogGroup
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(api, &cloudwatchlogs.DescribeLogGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("DescribeLogGroups", err) {
			return nil, false
		}
		for _, g := range page.LogGroups {
			out = append(out, snapshot.LogGroup{Name: aws.ToString(g.LogGroupName), Arn: logGroupArn(g),
				RetentionDays: aws.ToInt32(g.RetentionInDays), KMSKeyID: aws.ToString(g.KmsKeyId)})
		}
	}
	return out, true
}

// logGroupArn prefers the ARN without the trailing ":*" that older answers
// carry only in Arn.
func logGroupArn(g logstypes.LogGroup) string {
	if g.LogGroupArn != nil {
		return *g.LogGroupArn
	}
	return strings.TrimSuffix(aws.ToString(g.Arn), ":*")
}

func metricFilters(ctx context.Context, t *Task, api logsAPI) []snapshot.MetricFilter {
	var out []snapshot.MetricFilter
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(api, &cloudwatchlogs.DescribeMetricFiltersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("DescribeMetricFilters", err) {
			return nil
		}
		for _, f := range page.MetricFilters {
			for _, m := range f.MetricTransformations {
				out = append(out, snapshot.MetricFilter{Name: aws.ToString(f.FilterName), LogGroup: aws.ToString(f.LogGroupName),
					Pattern: aws.ToString(f.FilterPattern), MetricName: aws.ToString(m.MetricName), MetricNamespace: aws.ToString(m.MetricNamespace)})
			}
		}
	}
	return out
}

// subscriptionPolicy reads the account-level subscription filter policy (an
// account has at most one).
func subscriptionPolicy(ctx context.Context, t *Task, api logsAPI) *snapshot.SubscriptionPolicy {
	out, err := api.DescribeAccountPolicies(ctx, &cloudwatchlogs.DescribeAccountPoliciesInput{PolicyType: logstypes.PolicyTypeSubscriptionFilterPolicy})
	if awsx.IsNotFound(err) || t.Failed("DescribeAccountPolicies", err) || len(out.AccountPolicies) == 0 {
		return nil
	}
	ap := out.AccountPolicies[0]
	p, err := subscriptionPolicyOf(ap)
	if t.Failed("DescribeAccountPolicies", err) {
		return nil
	}
	return p
}

func subscriptionPolicyOf(ap logstypes.AccountPolicy) (*snapshot.SubscriptionPolicy, error) {
	var doc struct{ DestinationArn string }
	if err := json.Unmarshal([]byte(aws.ToString(ap.PolicyDocument)), &doc); err != nil {
		return nil, fmt.Errorf("policy %s: unreadable document: %w", aws.ToString(ap.PolicyName), err)
	}
	p := &snapshot.SubscriptionPolicy{Name: aws.ToString(ap.PolicyName), DestinationArn: doc.DestinationArn}
	// The only selection AWS supports is `LogGroupName NOT IN ["a", "b"]`.
	crit := strings.TrimSpace(aws.ToString(ap.SelectionCriteria))
	if crit == "" {
		return p, nil
	}
	_, list, ok := strings.Cut(crit, "NOT IN")
	if !ok || json.Unmarshal([]byte(list), &p.Excluded) != nil {
		return nil, fmt.Errorf("policy %s: unsupported selection criteria %q", p.Name, crit)
	}
	return p, nil
}

func subscriptionFilters(ctx context.Context, t *Task, api logsAPI, g *snapshot.LogGroup) []snapshot.SubscriptionFilter {
	var out []snapshot.SubscriptionFilter
	p := cloudwatchlogs.NewDescribeSubscriptionFiltersPaginator(api, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(g.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if awsx.IsNotFound(err) || t.FailedOn("DescribeSubscriptionFilters", g.Arn, err) {
			return nil
		}
		for _, f := range page.SubscriptionFilters {
			out = append(out, snapshot.SubscriptionFilter{Name: aws.ToString(f.FilterName),
				DestinationArn: aws.ToString(f.DestinationArn), Pattern: aws.ToString(f.FilterPattern)})
		}
	}
	return out
}
