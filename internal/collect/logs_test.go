package collect

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// fakeLogs has three groups and an account-level subscription policy that
// excludes one of them.
type fakeLogs struct {
	policyErr error
	criteria  string
	mu        sync.Mutex
	described []string
}

func (f *fakeLogs) DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	var gs []logstypes.LogGroup
	for _, n := range []string{"a", "b", "excluded"} {
		gs = append(gs, logstypes.LogGroup{LogGroupName: aws.String(n), Arn: aws.String("arn:aws:logs:us-east-1:111111111111:log-group:" + n + ":*"),
			RetentionInDays: aws.Int32(30)})
	}
	return &cloudwatchlogs.DescribeLogGroupsOutput{LogGroups: gs}, nil
}

func (f *fakeLogs) DescribeMetricFilters(context.Context, *cloudwatchlogs.DescribeMetricFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	return &cloudwatchlogs.DescribeMetricFiltersOutput{MetricFilters: []logstypes.MetricFilter{{FilterName: aws.String("root"),
		LogGroupName: aws.String("a"), FilterPattern: aws.String("{ $.userIdentity.type = Root }"),
		MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String("Root"), MetricNamespace: aws.String("CIS")}}}}}, nil
}

func (f *fakeLogs) DescribeAccountPolicies(context.Context, *cloudwatchlogs.DescribeAccountPoliciesInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeAccountPoliciesOutput, error) {
	if f.policyErr != nil {
		return nil, f.policyErr
	}
	return &cloudwatchlogs.DescribeAccountPoliciesOutput{AccountPolicies: []logstypes.AccountPolicy{{PolicyName: aws.String("central"),
		PolicyType: logstypes.PolicyTypeSubscriptionFilterPolicy, SelectionCriteria: aws.String(f.criteria),
		PolicyDocument: aws.String(`{"DestinationArn":"arn:aws:logs:us-east-1:222222222222:destination:central","FilterPattern":""}`)}}}, nil
}

func (f *fakeLogs) DescribeSubscriptionFilters(_ context.Context, in *cloudwatchlogs.DescribeSubscriptionFiltersInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeSubscriptionFiltersOutput, error) {
	f.mu.Lock()
	f.described = append(f.described, aws.ToString(in.LogGroupName))
	f.mu.Unlock()
	if aws.ToString(in.LogGroupName) == "b" {
		return nil, errAccessDenied
	}
	return &cloudwatchlogs.DescribeSubscriptionFiltersOutput{SubscriptionFilters: []logstypes.SubscriptionFilter{{
		FilterName: aws.String("own"), DestinationArn: aws.String("arn:aws:firehose:us-east-1:111111111111:deliverystream/x")}}}, nil
}

func TestLogsCollectorReadsOnlyGroupsOutsideTheAccountPolicy(t *testing.T) {
	task, snap := fakeTask(t, "logs", "us-east-1")
	api := &fakeLogs{criteria: `LogGroupName NOT IN ["excluded"]`}
	collectLogs(context.Background(), task, api)
	l := task.Account.Regions["us-east-1"].Logs
	if !slices.Equal(api.described, []string{"excluded"}) {
		t.Errorf("subscriptions read for %v, want only the excluded group", api.described)
	}
	p := l.SubscriptionPolicy
	if p == nil || p.DestinationArn != "arn:aws:logs:us-east-1:222222222222:destination:central" || !p.Covers("a") || p.Covers("excluded") {
		t.Errorf("policy = %+v", p)
	}
	if g := l.Groups[2]; g.Arn != "arn:aws:logs:us-east-1:111111111111:log-group:excluded" || g.RetentionDays != 30 || len(g.Subscriptions) != 1 {
		t.Errorf("group = %+v", g)
	}
	if f := l.MetricFilters[0]; f.LogGroup != "a" || f.MetricName != "Root" || f.MetricNamespace != "CIS" {
		t.Errorf("filter = %+v", f)
	}
	if errs := snap().Errors; len(errs) != 0 {
		t.Errorf("errors = %+v", errs)
	}
}

func TestLogsCollectorWithoutAccountPolicy(t *testing.T) {
	for _, c := range []struct {
		name     string
		api      *fakeLogs
		wantErrs []string
	}{
		{"denied", &fakeLogs{policyErr: errAccessDenied}, []string{"DescribeAccountPolicies", "DescribeSubscriptionFilters"}},
		{"unreadable criteria", &fakeLogs{criteria: "LogGroupNamePrefix IN [x]"}, []string{"DescribeAccountPolicies", "DescribeSubscriptionFilters"}},
	} {
		task, snap := fakeTask(t, "logs", "us-east-1")
		collectLogs(context.Background(), task, c.api)
		slices.Sort(c.api.described)
		if !slices.Equal(c.api.described, []string{"a", "b", "excluded"}) {
			t.Errorf("%s: subscriptions read for %v, want every group", c.name, c.api.described)
		}
		var ops []string
		for _, e := range snap().Errors {
			ops = append(ops, e.Operation)
		}
		slices.Sort(ops)
		if !slices.Equal(ops, c.wantErrs) {
			t.Errorf("%s: errors %v, want %v", c.name, ops, c.wantErrs)
		}
		if task.Account.Regions["us-east-1"].Logs.SubscriptionPolicy != nil {
			t.Errorf("%s: kept a policy", c.name)
		}
	}
}
