package collect

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// fakeEvents has an alerting rule, a disabled one and a scheduled one, over
// two pages.
type fakeEvents struct {
	err     error
	mu      sync.Mutex
	targets []string
}

func (f *fakeEvents) ListRules(_ context.Context, in *eventbridge.ListRulesInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListRulesOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	if in.NextToken == nil {
		return &eventbridge.ListRulesOutput{NextToken: aws.String("2"), Rules: []ebtypes.Rule{
			{Name: aws.String("alert"), State: ebtypes.RuleStateEnabled, EventPattern: aws.String(`{"source":["aws.iam"]}`)},
			{Name: aws.String("off"), State: ebtypes.RuleStateDisabled, EventPattern: aws.String(`{"source":["aws.iam"]}`)},
		}}, nil
	}
	return &eventbridge.ListRulesOutput{Rules: []ebtypes.Rule{{Name: aws.String("nightly"), State: ebtypes.RuleStateEnabled, ScheduleExpression: aws.String("rate(1 day)")}}}, nil
}

func (f *fakeEvents) ListTargetsByRule(_ context.Context, in *eventbridge.ListTargetsByRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error) {
	f.mu.Lock()
	f.targets = append(f.targets, aws.ToString(in.Rule))
	f.mu.Unlock()
	return &eventbridge.ListTargetsByRuleOutput{Targets: []ebtypes.Target{{Arn: aws.String("arn:aws:sns:us-east-1:111111111111:alerts")}}}, nil
}

func (f *fakeEvents) DescribeEventBus(context.Context, *eventbridge.DescribeEventBusInput, ...func(*eventbridge.Options)) (*eventbridge.DescribeEventBusOutput, error) {
	return &eventbridge.DescribeEventBusOutput{Policy: aws.String(`{"Version":"2012-10-17"}`)}, f.err
}

func TestEventBridgeCollectorReadsTargetsOfAlertingRulesOnly(t *testing.T) {
	task, _ := fakeTask(t, "events", "us-east-1")
	api := &fakeEvents{}
	collectEventBridge(context.Background(), task, api)
	eb := task.Account.Regions["us-east-1"].EventBridge
	if !slices.Equal(api.targets, []string{"alert"}) || len(eb.Rules) != 3 || len(eb.Rules[0].Targets) != 1 || eb.BusPolicy == "" {
		t.Fatalf("targets read for %v; state %+v", api.targets, eb)
	}

	task, snap := fakeTask(t, "events", "us-east-1")
	collectEventBridge(context.Background(), task, &fakeEvents{err: errAccessDenied})
	if errs := snap().Errors; len(errs) != 2 || task.Account.Regions["us-east-1"].EventBridge != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
