package collect

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "ce", Run: func(ctx context.Context, t *Task) {
		collectCostAnomaly(ctx, t, costexplorer.NewFromConfig(t.Config))
	}})
}

// anomalyAPI is the read-only part of Cost Explorer we call: Cost Anomaly
// Detection's monitors and subscriptions.
type anomalyAPI interface {
	GetAnomalyMonitors(context.Context, *costexplorer.GetAnomalyMonitorsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalyMonitorsOutput, error)
	GetAnomalySubscriptions(context.Context, *costexplorer.GetAnomalySubscriptionsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalySubscriptionsOutput, error)
}

// collectCostAnomaly reads monitors and subscriptions in parallel. The state
// is recorded only when both listings succeed: half of it would make a
// monitor look unsubscribed.
func collectCostAnomaly(ctx context.Context, t *Task, api anomalyAPI) {
	var s snapshot.CostAnomaly
	ok := [2]bool{}
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 0 {
			s.Monitors, ok[0] = anomalyMonitors(ctx, t, api)
		} else {
			s.Subscriptions, ok[1] = anomalySubscriptions(ctx, t, api)
		}
	})
	if ok[0] && ok[1] {
		t.Account.Global.CostAnom = &s
	}
}

func anomalyMonitors(ctx context.Context, t *Task, api anomalyAPI) ([]snapshot.AnomalyMonitor, bool) {
	var out []snapshot.AnomalyMonitor
	p := costexplorer.NewGetAnomalyMonitorsPaginator(api, &costexplorer.GetAnomalyMonitorsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("GetAnomalyMonitors", err) {
			return nil, false
		}
		for _, m := range page.AnomalyMonitors {
			accounts := map[string]bool{}
			linkedAccountsOf(m.MonitorSpecification, accounts)
			out = append(out, snapshot.AnomalyMonitor{
				Arn: aws.ToString(m.MonitorArn), Name: aws.ToString(m.MonitorName), Type: string(m.MonitorType),
				Dimension: string(m.MonitorDimension), LinkedAccounts: slices.Sorted(maps.Keys(accounts)),
			})
		}
	}
	return out, true
}

// linkedAccountsOf adds the accounts a CUSTOM monitor's specification selects.
func linkedAccountsOf(x *cetypes.Expression, into map[string]bool) {
	if x == nil {
		return
	}
	if d := x.Dimensions; d != nil && d.Key == cetypes.DimensionLinkedAccount {
		for _, id := range d.Values {
			into[id] = true
		}
	}
	for _, sub := range append(append([]cetypes.Expression{}, x.And...), x.Or...) {
		linkedAccountsOf(&sub, into)
	}
}

func anomalySubscriptions(ctx context.Context, t *Task, api anomalyAPI) ([]snapshot.AnomalySubscription, bool) {
	var out []snapshot.AnomalySubscription
	p := costexplorer.NewGetAnomalySubscriptionsPaginator(api, &costexplorer.GetAnomalySubscriptionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("GetAnomalySubscriptions", err) {
			return nil, false
		}
		for _, s := range page.AnomalySubscriptions {
			sub := snapshot.AnomalySubscription{
				Arn: aws.ToString(s.SubscriptionArn), Name: aws.ToString(s.SubscriptionName),
				Monitors: s.MonitorArnList, Frequency: string(s.Frequency),
			}
			for _, r := range s.Subscribers {
				if r.Status != cetypes.SubscriberStatusDeclined {
					sub.Subscribers = append(sub.Subscribers, aws.ToString(r.Address))
				}
			}
			out = append(out, sub)
		}
	}
	return out, true
}
