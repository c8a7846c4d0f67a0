package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// fakeAnomaly stands in for Cost Explorer, whose anomaly APIs moto lacks.
type fakeAnomaly struct {
	monitors      []cetypes.AnomalyMonitor
	subscriptions []cetypes.AnomalySubscription
	monitorsErr   error
}

func (f *fakeAnomaly) GetAnomalyMonitors(_ context.Context, in *costexplorer.GetAnomalyMonitorsInput, _ ...func(*costexplorer.Options)) (*costexplorer.GetAnomalyMonitorsOutput, error) {
	if f.monitorsErr != nil {
		return nil, f.monitorsErr
	}
	// Two pages: one monitor each.
	if in.NextPageToken == nil {
		return &costexplorer.GetAnomalyMonitorsOutput{AnomalyMonitors: f.monitors[:1], NextPageToken: aws.String("p2")}, nil
	}
	return &costexplorer.GetAnomalyMonitorsOutput{AnomalyMonitors: f.monitors[1:]}, nil
}

func (f *fakeAnomaly) GetAnomalySubscriptions(context.Context, *costexplorer.GetAnomalySubscriptionsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalySubscriptionsOutput, error) {
	return &costexplorer.GetAnomalySubscriptionsOutput{AnomalySubscriptions: f.subscriptions}, nil
}

func TestCostAnomalyCollector(t *testing.T) {
	task, snap := fakeTask(t, "ce", "")
	api := &fakeAnomaly{
		monitors: []cetypes.AnomalyMonitor{
			{MonitorArn: aws.String("arn:m1"), MonitorName: aws.String("services"), MonitorType: cetypes.MonitorTypeDimensional, MonitorDimension: cetypes.MonitorDimensionService},
			{MonitorArn: aws.String("arn:m2"), MonitorName: aws.String("teams"), MonitorType: cetypes.MonitorTypeCustom,
				MonitorSpecification: &cetypes.Expression{Or: []cetypes.Expression{
					{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: []string{"333333333333", "222222222222"}}},
				}}},
		},
		subscriptions: []cetypes.AnomalySubscription{{SubscriptionArn: aws.String("arn:s"), SubscriptionName: aws.String("finops"),
			MonitorArnList: []string{"arn:m1"}, Frequency: cetypes.AnomalySubscriptionFrequencyDaily,
			Subscribers: []cetypes.Subscriber{
				{Address: aws.String("finops@example.com"), Type: cetypes.SubscriberTypeEmail, Status: cetypes.SubscriberStatusConfirmed},
				{Address: aws.String("gone@example.com"), Type: cetypes.SubscriberTypeEmail, Status: cetypes.SubscriberStatusDeclined},
			}}},
	}
	collectCostAnomaly(context.Background(), task, api)
	if errs := snap().Errors; len(errs) != 0 {
		t.Fatalf("errors = %+v", errs)
	}
	c := task.Account.Global.CostAnom
	if c == nil || len(c.Monitors) != 2 || c.Monitors[0].Dimension != "SERVICE" ||
		!slices.Equal(c.Monitors[1].LinkedAccounts, []string{"222222222222", "333333333333"}) {
		t.Fatalf("monitors = %+v", c)
	}
	if s := c.Subscriptions; len(s) != 1 || !slices.Equal(s[0].Subscribers, []string{"finops@example.com"}) || s[0].Frequency != "DAILY" {
		t.Fatalf("subscriptions = %+v (declined subscribers are left out)", s)
	}
}

func TestCostAnomalyCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "ce", "")
	collectCostAnomaly(context.Background(), task, &fakeAnomaly{monitorsErr: errAccessDenied})
	errs := snap().Errors
	if len(errs) != 1 || errs[0].Service != "ce" || errs[0].Operation != "GetAnomalyMonitors" || errs[0].Class != "access_denied" {
		t.Fatalf("errors = %+v", errs)
	}
	if task.Account.Global.CostAnom != nil {
		t.Fatal("half the anomaly state must not be recorded")
	}
}
