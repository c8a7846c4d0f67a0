package collect

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgettypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// fakeBudgets answers like AWS Budgets; a nil list is AWS's NotFoundException
// for "no budget".
type fakeBudgets struct {
	list          []budgettypes.Budget
	notifications []budgettypes.BudgetNotificationsForAccount
	err           error
	// noBulk answers the bulk notification listing as an endpoint that
	// lacks it; perBudget then holds each budget's notifications.
	noBulk    bool
	perBudget map[string][]budgettypes.Notification
	calls     []string
}

var errNoBudgets error = &smithy.GenericAPIError{Code: "NotFoundException", Message: "no budgets exist"}

func (f *fakeBudgets) DescribeBudgets(_ context.Context, in *budgets.DescribeBudgetsInput, _ ...func(*budgets.Options)) (*budgets.DescribeBudgetsOutput, error) {
	f.calls = append(f.calls, "DescribeBudgets:"+aws.ToString(in.AccountId))
	switch {
	case f.err != nil:
		return nil, f.err
	case f.list == nil:
		return nil, errNoBudgets
	}
	return &budgets.DescribeBudgetsOutput{Budgets: f.list}, nil
}

func (f *fakeBudgets) DescribeBudgetNotificationsForAccount(_ context.Context, in *budgets.DescribeBudgetNotificationsForAccountInput, _ ...func(*budgets.Options)) (*budgets.DescribeBudgetNotificationsForAccountOutput, error) {
	f.calls = append(f.calls, "DescribeBudgetNotificationsForAccount:"+aws.ToString(in.AccountId))
	switch {
	case f.err != nil:
		return nil, f.err
	case f.noBulk:
		return nil, &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusNotImplemented}},
			Err: &smithy.GenericAPIError{Code: "NotImplemented"}}
	}
	return &budgets.DescribeBudgetNotificationsForAccountOutput{BudgetNotificationsForAccount: f.notifications}, nil
}

func (f *fakeBudgets) DescribeNotificationsForBudget(_ context.Context, in *budgets.DescribeNotificationsForBudgetInput, _ ...func(*budgets.Options)) (*budgets.DescribeNotificationsForBudgetOutput, error) {
	name := aws.ToString(in.BudgetName)
	if name == "denied" {
		return nil, errAccessDenied
	}
	return &budgets.DescribeNotificationsForBudgetOutput{Notifications: f.perBudget[name]}, nil
}

func TestBudgetsCollectorReadsBudgetByBudgetWithoutTheBulkListing(t *testing.T) {
	task, snap := fakeTask(t, "budgets", "")
	cost := func(name string) budgettypes.Budget {
		return budgettypes.Budget{BudgetName: aws.String(name), BudgetType: budgettypes.BudgetTypeCost}
	}
	api := &fakeBudgets{noBulk: true, list: []budgettypes.Budget{cost("monthly"), cost("denied")},
		perBudget: map[string][]budgettypes.Notification{"monthly": {{NotificationType: budgettypes.NotificationTypeActual, Threshold: 80}}}}
	collectBudgets(context.Background(), task, api)
	bs := task.Account.Global.Budgets.Budgets
	if len(bs[0].Notifications) != 1 || bs[0].Notifications[0].Type != "ACTUAL" || bs[1].Notifications != nil {
		t.Fatalf("budgets = %+v", bs)
	}
	// The missing bulk listing is no failure; the one budget that could not be read is.
	errs := snap().Errors
	if len(errs) != 1 || errs[0].Operation != "DescribeNotificationsForBudget" || errs[0].Resource != "denied" {
		t.Fatalf("errors = %+v", errs)
	}
}

func TestBudgetsCollectorReadsBudgetsAndNotifications(t *testing.T) {
	task, snap := fakeTask(t, "budgets", "")
	api := &fakeBudgets{
		list: []budgettypes.Budget{
			{BudgetName: aws.String("org"), BudgetType: budgettypes.BudgetTypeCost, TimeUnit: budgettypes.TimeUnitMonthly,
				BudgetLimit: &budgettypes.Spend{Amount: aws.String("1000"), Unit: aws.String("USD")},
				FilterExpression: &budgettypes.Expression{And: []budgettypes.Expression{
					{Dimensions: &budgettypes.ExpressionDimensionValues{Key: budgettypes.DimensionLinkedAccount, Values: []string{"222222222222"}}},
					{Not: &budgettypes.Expression{Dimensions: &budgettypes.ExpressionDimensionValues{Key: budgettypes.DimensionLinkedAccount, Values: []string{"333333333333"}}}},
				}}},
			{BudgetName: aws.String("legacy"), BudgetType: budgettypes.BudgetTypeUsage,
				CostFilters: map[string][]string{"LinkedAccount": {"444444444444"}}},
		},
		notifications: []budgettypes.BudgetNotificationsForAccount{{BudgetName: aws.String("org"), Notifications: []budgettypes.Notification{
			{NotificationType: budgettypes.NotificationTypeForecasted, ComparisonOperator: budgettypes.ComparisonOperatorGreaterThan, Threshold: 100, ThresholdType: budgettypes.ThresholdTypePercentage},
		}}},
	}
	collectBudgets(context.Background(), task, api)
	if errs := snap().Errors; len(errs) != 0 {
		t.Fatalf("errors = %+v", errs)
	}
	bs := task.Account.Global.Budgets.Budgets
	if len(bs) != 2 {
		t.Fatalf("budgets = %+v", bs)
	}
	org := bs[0]
	if org.Limit != "1000 USD" || org.TimeUnit != "MONTHLY" || !slices.Equal(org.LinkedAccounts, []string{"222222222222"}) ||
		!slices.Equal(org.ExcludedAccounts, []string{"333333333333"}) || len(org.Notifications) != 1 || org.Notifications[0].Threshold != 100 {
		t.Fatalf("org budget = %+v", org)
	}
	if legacy := bs[1]; !slices.Equal(legacy.LinkedAccounts, []string{"444444444444"}) || legacy.Notifications != nil {
		t.Fatalf("legacy budget = %+v", legacy)
	}
	want := []string{"DescribeBudgets:111111111111", "DescribeBudgetNotificationsForAccount:111111111111"}
	if !slices.Equal(api.calls, want) {
		t.Fatalf("calls = %v, want %v", api.calls, want)
	}
}

func TestBudgetsCollectorNoBudgetIsData(t *testing.T) {
	task, snap := fakeTask(t, "budgets", "")
	api := &fakeBudgets{}
	collectBudgets(context.Background(), task, api)
	if errs := snap().Errors; len(errs) != 0 || task.Account.Global.Budgets == nil || len(task.Account.Global.Budgets.Budgets) != 0 {
		t.Fatalf("budgets = %+v, errors = %+v", task.Account.Global.Budgets, errs)
	}
	if len(api.calls) != 1 {
		t.Fatalf("calls = %v: notifications must not be listed without budgets", api.calls)
	}
}

func TestBudgetsCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "budgets", "")
	collectBudgets(context.Background(), task, &fakeBudgets{err: errAccessDenied})
	errs := snap().Errors
	if len(errs) != 1 || errs[0].Service != "budgets" || errs[0].Operation != "DescribeBudgets" || errs[0].Class != "access_denied" {
		t.Fatalf("errors = %+v", errs)
	}
	if task.Account.Global.Budgets != nil {
		t.Fatal("a denied listing must leave budgets unset")
	}
}
