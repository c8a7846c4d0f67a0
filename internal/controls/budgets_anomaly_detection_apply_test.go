package controls

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
)

// Cost Anomaly Detection is not in the emulator: the fix converges against
// a fake of one account's monitors and subscriptions.

const (
	orgMgmt   = "111111111111"
	orgMember = "222222222222"
)

// orgOfTwo is an organization of a management account and one member.
func orgOfTwo(mgmt, member snapshot.Global) *snapshot.Snapshot {
	return &snapshot.Snapshot{
		Organization:    &snapshot.Organization{ID: "o-1", ManagementAccountID: orgMgmt, Member: true},
		CallerAccountID: orgMgmt,
		Accounts:        []*snapshot.Account{{AccountID: orgMgmt, Global: mgmt}, {AccountID: orgMember, Global: member}},
	}
}

type fakeAnomalies struct {
	monitors      []cetypes.AnomalyMonitor
	subscriptions []cetypes.AnomalySubscription
	updates       int
}

func (f *fakeAnomalies) GetAnomalyMonitors(context.Context, *costexplorer.GetAnomalyMonitorsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalyMonitorsOutput, error) {
	return &costexplorer.GetAnomalyMonitorsOutput{AnomalyMonitors: f.monitors}, nil
}

func (f *fakeAnomalies) GetAnomalySubscriptions(context.Context, *costexplorer.GetAnomalySubscriptionsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalySubscriptionsOutput, error) {
	return &costexplorer.GetAnomalySubscriptionsOutput{AnomalySubscriptions: f.subscriptions}, nil
}

func (f *fakeAnomalies) CreateAnomalyMonitor(_ context.Context, in *costexplorer.CreateAnomalyMonitorInput, _ ...func(*costexplorer.Options)) (*costexplorer.CreateAnomalyMonitorOutput, error) {
	m := *in.AnomalyMonitor
	m.MonitorArn = aws.String(fmt.Sprintf("arn:aws:ce::%s:anomalymonitor/%d", orgMgmt, len(f.monitors)))
	f.monitors = append(f.monitors, m)
	return &costexplorer.CreateAnomalyMonitorOutput{MonitorArn: m.MonitorArn}, nil
}

func (f *fakeAnomalies) CreateAnomalySubscription(_ context.Context, in *costexplorer.CreateAnomalySubscriptionInput, _ ...func(*costexplorer.Options)) (*costexplorer.CreateAnomalySubscriptionOutput, error) {
	s := *in.AnomalySubscription
	if s.ThresholdExpression == nil || len(s.MonitorArnList) != 1 || in.ResourceTags == nil {
		return nil, awsErr("ValidationException", "incomplete subscription")
	}
	s.SubscriptionArn = aws.String(fmt.Sprintf("arn:aws:ce::%s:anomalysubscription/%d", orgMgmt, len(f.subscriptions)))
	f.subscriptions = append(f.subscriptions, s)
	return &costexplorer.CreateAnomalySubscriptionOutput{SubscriptionArn: s.SubscriptionArn}, nil
}

func (f *fakeAnomalies) UpdateAnomalySubscription(_ context.Context, in *costexplorer.UpdateAnomalySubscriptionInput, _ ...func(*costexplorer.Options)) (*costexplorer.UpdateAnomalySubscriptionOutput, error) {
	for i := range f.subscriptions {
		if s := &f.subscriptions[i]; aws.ToString(s.SubscriptionArn) == aws.ToString(in.SubscriptionArn) {
			s.MonitorArnList, s.Subscribers, s.Frequency = in.MonitorArnList, in.Subscribers, in.Frequency
			f.updates++
			return &costexplorer.UpdateAnomalySubscriptionOutput{SubscriptionArn: s.SubscriptionArn}, nil
		}
	}
	return nil, awsErr("UnknownSubscriptionException", "no such subscription")
}

// state is what the collector would read from the fake.
func (f *fakeAnomalies) state() *snapshot.CostAnomaly {
	out := &snapshot.CostAnomaly{}
	for _, m := range f.monitors {
		out.Monitors = append(out.Monitors, snapshot.AnomalyMonitor{Arn: aws.ToString(m.MonitorArn), Name: aws.ToString(m.MonitorName),
			Type: string(m.MonitorType), Dimension: string(m.MonitorDimension)})
	}
	for _, s := range f.subscriptions {
		sub := snapshot.AnomalySubscription{Arn: aws.ToString(s.SubscriptionArn), Name: aws.ToString(s.SubscriptionName),
			Monitors: s.MonitorArnList, Frequency: string(s.Frequency)}
		for _, r := range s.Subscribers {
			sub.Subscribers = append(sub.Subscribers, aws.ToString(r.Address))
		}
		out.Subscriptions = append(out.Subscriptions, sub)
	}
	return out
}

// applyAnomalyChanges runs a plan's changes through the ops' logic in
// dependency order (the monitor is planned first).
func applyAnomalyChanges(t *testing.T, f *fakeAnomalies, changes []catalog.Change) {
	t.Helper()
	ctx := context.Background()
	for _, c := range changes {
		var err error
		switch c.Op {
		case "monitor":
			want, _ := catalog.Decode[anomalyMonitorSpec](c.After)
			err = ensureAnomalyMonitor(ctx, f, want)
		case "subscription":
			want, _ := catalog.Decode[anomalySubscriptionSpec](c.After)
			err = ensureAnomalySubscription(ctx, f, want)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
	}
}

func TestApplyAnomalyDetectionOnFakes(t *testing.T) {
	s := fixTestSettings()
	mgmt := &fakeAnomalies{}
	snap := func() *snapshot.Snapshot {
		return orgOfTwo(snapshot.Global{CostAnom: mgmt.state()}, snapshot.Global{CostAnom: &snapshot.CostAnomaly{}})
	}
	p := planOn(t, snap(), s, "budgets.anomaly-detection")
	// One organization-wide monitor in the management account covers the member.
	if len(p.Changes) != 2 || p.Changes[0].AccountID != orgMgmt || p.Changes[1].AccountID != orgMgmt ||
		!slices.Equal(p.Changes[1].DependsOn, []string{catalog.Ref(orgMgmt, "", "anomaly-monitor/"+anomalyMonitor(s))}) {
		t.Fatalf("changes: %+v", p.Changes)
	}
	applyAnomalyChanges(t, mgmt, p.Changes)
	// A re-run after a crash makes no second monitor or subscription.
	applyAnomalyChanges(t, mgmt, p.Changes)
	if len(mgmt.monitors) != 1 || len(mgmt.subscriptions) != 1 || mgmt.updates != 1 {
		t.Fatalf("after two runs: %d monitors, %d subscriptions, %d updates", len(mgmt.monitors), len(mgmt.subscriptions), mgmt.updates)
	}
	if again := planOn(t, snap(), s, "budgets.anomaly-detection"); !again.Empty() {
		t.Fatalf("still planned: %+v", again.Changes)
	}
	res := audittest.Audit(t, snap(), s, "budgets.anomaly-detection")
	audittest.Expect(t, res, "budgets.anomaly-detection", orgMember, "", "", catalog.StatusPass, "covered by the management account's monitor")

	// Someone removes the subscribers: the subscription is updated, not duplicated.
	mgmt.subscriptions[0].Subscribers = nil
	p = planOn(t, snap(), s, "budgets.anomaly-detection")
	if len(p.Changes) != 1 || p.Changes[0].Action != catalog.Update || p.Changes[0].Op != "subscription" {
		t.Fatalf("after the subscribers were removed: %+v", p.Changes)
	}
	applyAnomalyChanges(t, mgmt, p.Changes)
	if again := planOn(t, snap(), s, "budgets.anomaly-detection"); !again.Empty() || len(mgmt.subscriptions) != 1 {
		t.Fatalf("still planned: %+v", again.Changes)
	}
}

func TestPlanAnomalyDetectionAdoptsTheServicesMonitor(t *testing.T) {
	// AWS allows one AWS services monitor per account: one without a
	// subscription gets ours rather than a twin.
	services := snapshot.AnomalyMonitor{Arn: "arn:services", Name: "services", Type: "DIMENSIONAL", Dimension: "SERVICE"}
	snap := orgOfTwo(snapshot.Global{CostAnom: &snapshot.CostAnomaly{Monitors: []snapshot.AnomalyMonitor{services}}},
		snapshot.Global{CostAnom: &snapshot.CostAnomaly{}})
	p := planOn(t, snap, fixTestSettings(), "budgets.anomaly-detection")
	if len(p.Changes) != 1 || p.Changes[0].Op != "subscription" || len(p.Changes[0].DependsOn) != 0 {
		t.Fatalf("changes: %+v", p.Changes)
	}
	if want, _ := catalog.Decode[anomalySubscriptionSpec](p.Changes[0].After); want.MonitorArn != "arn:services" {
		t.Fatalf("subscription: %+v", want)
	}
}

func TestAnomalySubscriptionWaitsForItsMonitor(t *testing.T) {
	err := ensureAnomalySubscription(context.Background(), &fakeAnomalies{}, anomalySubscriptionSpec{Name: "x", Monitor: "x"})
	if !catalog.IsRetryable(err) {
		t.Fatalf("monitor not listed yet: %v, want retryable", err)
	}
}
