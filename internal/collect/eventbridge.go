package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "events", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectEventBridge(ctx, t, eventbridge.NewFromConfig(t.Config))
	}})
}

// eventBridgeAPI is the read-only part of EventBridge we call.
type eventBridgeAPI interface {
	ListRules(context.Context, *eventbridge.ListRulesInput, ...func(*eventbridge.Options)) (*eventbridge.ListRulesOutput, error)
	ListTargetsByRule(context.Context, *eventbridge.ListTargetsByRuleInput, ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error)
	DescribeEventBus(context.Context, *eventbridge.DescribeEventBusInput, ...func(*eventbridge.Options)) (*eventbridge.DescribeEventBusOutput, error)
}

// collectEventBridge reads the default bus's rules and policy, then the
// targets of the rules that can alert: enabled ones with an event pattern.
func collectEventBridge(ctx context.Context, t *Task, api eventBridgeAPI) {
	eb := &snapshot.EventBridge{}
	listed := true
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 1 {
			out, err := api.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
			if !t.Failed("DescribeEventBus", err) {
				eb.BusPolicy = aws.ToString(out.Policy)
			}
			return
		}
		in := &eventbridge.ListRulesInput{}
		for {
			page, err := api.ListRules(ctx, in)
			if t.Failed("ListRules", err) {
				listed = false
				return
			}
			for _, r := range page.Rules {
				eb.Rules = append(eb.Rules, snapshot.EventRule{Name: aws.ToString(r.Name), Arn: aws.ToString(r.Arn),
					EventBus: aws.ToString(r.EventBusName), State: string(r.State), EventPattern: aws.ToString(r.EventPattern)})
			}
			if in.NextToken = page.NextToken; in.NextToken == nil {
				return
			}
		}
	})
	if !listed {
		return
	}
	var alerting []int
	for i, r := range eb.Rules {
		if r.State != string(ebtypes.RuleStateDisabled) && r.EventPattern != "" {
			alerting = append(alerting, i)
		}
	}
	t.Fan(ctx, len(alerting), func(ctx context.Context, i int) {
		r := &eb.Rules[alerting[i]]
		r.Targets = ruleTargets(ctx, t, api, r)
	})
	t.Account.Regions[t.Region].EventBridge = eb
}

func ruleTargets(ctx context.Context, t *Task, api eventBridgeAPI, r *snapshot.EventRule) []string {
	var out []string
	in := &eventbridge.ListTargetsByRuleInput{Rule: aws.String(r.Name)}
	for {
		page, err := api.ListTargetsByRule(ctx, in)
		if t.FailedOn("ListTargetsByRule", r.Arn, err) {
			return nil
		}
		for _, tg := range page.Targets {
			out = append(out, aws.ToString(tg.Arn))
		}
		if in.NextToken = page.NextToken; in.NextToken == nil {
			return out
		}
	}
}
