package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgettypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// TestBudgetControlsMoto shows what the emulator can: an account without a
// budget, then one with an alert, whose notifications the collector reads
// budget by budget (the emulator lacks the bulk listing). It does not
// implement Cost Anomaly Detection, and the control says so instead of
// guessing.
func TestBudgetControlsMoto(t *testing.T) {
	moto.Start(t)
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"budgets", "ce"}}
	snap := audittest.Collect(t, opts)
	res := audittest.Audit(t, snap, catalog.Defaults(), "budgets.alarm", "budgets.anomaly-detection")
	audittest.Expect(t, res, "budgets.alarm", "*", "", "", catalog.StatusFail, "no budget")
	audittest.Expect(t, res, "budgets.anomaly-detection", "*", "", "", catalog.StatusError, "ce:GetAnomalyMonitors")

	_, err := budgets.NewFromConfig(moto.Config(t)).CreateBudget(context.Background(), &budgets.CreateBudgetInput{
		AccountId: aws.String(snap.CallerAccountID),
		Budget: &budgettypes.Budget{BudgetName: aws.String("monthly"), BudgetType: budgettypes.BudgetTypeCost, TimeUnit: budgettypes.TimeUnitMonthly,
			BudgetLimit: &budgettypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")}},
		NotificationsWithSubscribers: []budgettypes.NotificationWithSubscribers{{
			Notification: &budgettypes.Notification{NotificationType: budgettypes.NotificationTypeActual,
				ComparisonOperator: budgettypes.ComparisonOperatorGreaterThan, Threshold: 80},
			Subscribers: []budgettypes.Subscriber{{SubscriptionType: budgettypes.SubscriptionTypeEmail, Address: aws.String("finops@example.com")}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "budgets.alarm")
	audittest.Expect(t, res, "budgets.alarm", "*", "", "", catalog.StatusPass, "budget monthly (100 USD monthly) alerts at 80% ACTUAL")
}

const (
	costMgmt   = "111111111111"
	costMember = "222222222222"
	costOther  = "333333333333"
)

// costSnapshot is an organization of the management account and one member,
// with the given budgets and anomaly state.
func costSnapshot(mgmtG, memberG snapshot.Global) *snapshot.Snapshot {
	return &snapshot.Snapshot{
		Organization:    &snapshot.Organization{ID: "o-1", ManagementAccountID: costMgmt, Member: true, Full: true},
		CallerAccountID: costMgmt,
		Accounts: []*snapshot.Account{
			{AccountID: costMgmt, Name: "management", Global: mgmtG},
			{AccountID: costMember, Name: "member", Global: memberG},
		},
	}
}

var monthlyBudget = snapshot.Budget{Name: "monthly", Type: "COST", Limit: "1000 USD", TimeUnit: "MONTHLY",
	Notifications: []snapshot.BudgetNotification{{Type: "ACTUAL", Threshold: 80}, {Type: "FORECASTED", Threshold: 100}}}

func budgetsOf(bs ...snapshot.Budget) *snapshot.Budgets { return &snapshot.Budgets{Budgets: bs} }

func TestBudgetsAlarm(t *testing.T) {
	silent := snapshot.Budget{Name: "quiet", Type: "COST", Limit: "10 USD"}
	usage := snapshot.Budget{Name: "hours", Type: "USAGE", Notifications: monthlyBudget.Notifications}
	scoped := monthlyBudget
	scoped.LinkedAccounts = []string{costOther}
	excluding := monthlyBudget
	excluding.ExcludedAccounts = []string{costMember}
	for _, c := range []struct {
		name         string
		mgmt, member *snapshot.Budgets
		status       catalog.Status
		reason       string
	}{
		{"own budget", budgetsOf(), budgetsOf(monthlyBudget), catalog.StatusPass, "budget monthly (1000 USD monthly) alerts at 80% ACTUAL, 100% FORECASTED"},
		{"organization-wide budget", budgetsOf(monthlyBudget), budgetsOf(), catalog.StatusPass, "covered by the management account's budget monthly"},
		{"management budget for other accounts", budgetsOf(scoped), budgetsOf(), catalog.StatusFail, "no budget"},
		{"management budget excluding the member", budgetsOf(excluding), budgetsOf(), catalog.StatusFail, "no budget"},
		{"budget without alert", budgetsOf(), budgetsOf(silent), catalog.StatusFail, "cost budget quiet has no alert"},
		{"usage budget only", budgetsOf(), budgetsOf(usage), catalog.StatusFail, "no COST budget, only hours (USAGE)"},
		{"not collected", budgetsOf(monthlyBudget), nil, catalog.StatusError, "budgets was not collected"},
	} {
		t.Run(c.name, func(t *testing.T) {
			snap := costSnapshot(snapshot.Global{Budgets: c.mgmt}, snapshot.Global{Budgets: c.member})
			res := audittest.Audit(t, snap, catalog.Defaults(), "budgets.alarm")
			audittest.Expect(t, res, "budgets.alarm", costMember, "", "", c.status, c.reason)
		})
	}

	// A denied notification listing is an ERROR even though budgets were read.
	snap := costSnapshot(snapshot.Global{}, snapshot.Global{Budgets: budgetsOf(silent)})
	snap.Errors = []snapshot.Error{{AccountID: costMember, Service: "budgets", Operation: "DescribeBudgetNotificationsForAccount",
		Code: "AccessDeniedException", Class: "access_denied"}}
	res := audittest.Audit(t, snap, catalog.Defaults(), "budgets.alarm")
	audittest.Expect(t, res, "budgets.alarm", costMember, "", "", catalog.StatusError, "access denied to budgets:DescribeBudgetNotificationsForAccount")

	// So is one budget's, where they are read budget by budget.
	snap.Errors = []snapshot.Error{{AccountID: costMember, Service: "budgets", Operation: "DescribeNotificationsForBudget",
		Resource: "quiet", Code: "AccessDeniedException", Class: "access_denied"}}
	res = audittest.Audit(t, snap, catalog.Defaults(), "budgets.alarm")
	audittest.Expect(t, res, "budgets.alarm", costMember, "", "quiet", catalog.StatusError, "access denied to budgets:DescribeNotificationsForBudget")
}

func TestBudgetsAnomalyDetection(t *testing.T) {
	services := snapshot.AnomalyMonitor{Arn: "arn:services", Name: "services", Type: "DIMENSIONAL", Dimension: "SERVICE"}
	teams := snapshot.AnomalyMonitor{Arn: "arn:teams", Name: "teams", Type: "CUSTOM", LinkedAccounts: []string{costOther}}
	alert := func(monitor string, to ...string) snapshot.AnomalySubscription {
		return snapshot.AnomalySubscription{Arn: "arn:sub", Name: "finops", Monitors: []string{monitor}, Frequency: "DAILY", Subscribers: to}
	}
	state := func(m []snapshot.AnomalyMonitor, s ...snapshot.AnomalySubscription) *snapshot.CostAnomaly {
		return &snapshot.CostAnomaly{Monitors: m, Subscriptions: s}
	}
	for _, c := range []struct {
		name         string
		mgmt, member *snapshot.CostAnomaly
		status       catalog.Status
		reason       string
	}{
		{"own monitor", state(nil), state([]snapshot.AnomalyMonitor{services}, alert("arn:services", "finops@example.com")),
			catalog.StatusPass, "monitor services alerts finops@example.com (DAILY)"},
		{"organization monitor", state([]snapshot.AnomalyMonitor{services}, alert("arn:services", "finops@example.com")), state(nil),
			catalog.StatusPass, "covered by the management account's monitor services"},
		{"management monitor of other accounts", state([]snapshot.AnomalyMonitor{teams}, alert("arn:teams", "finops@example.com")), state(nil),
			catalog.StatusFail, "no Cost Anomaly Detection monitor"},
		{"monitor without subscription", state(nil), state([]snapshot.AnomalyMonitor{services}),
			catalog.StatusFail, "monitor services has no alert subscription"},
		{"subscription without subscriber", state(nil), state([]snapshot.AnomalyMonitor{services}, alert("arn:services")),
			catalog.StatusFail, "monitor services has no alert subscription"},
		{"not collected", state(nil), nil, catalog.StatusError, "ce was not collected"},
	} {
		t.Run(c.name, func(t *testing.T) {
			snap := costSnapshot(snapshot.Global{CostAnom: c.mgmt}, snapshot.Global{CostAnom: c.member})
			res := audittest.Audit(t, snap, catalog.Defaults(), "budgets.anomaly-detection")
			audittest.Expect(t, res, "budgets.anomaly-detection", costMember, "", "", c.status, c.reason)
		})
	}
}
