package collect

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgettypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "budgets", Run: func(ctx context.Context, t *Task) {
		collectBudgets(ctx, t, budgets.NewFromConfig(t.Config))
	}})
}

// budgetsAPI is the read-only part of AWS Budgets we call.
type budgetsAPI interface {
	DescribeBudgets(context.Context, *budgets.DescribeBudgetsInput, ...func(*budgets.Options)) (*budgets.DescribeBudgetsOutput, error)
	DescribeBudgetNotificationsForAccount(context.Context, *budgets.DescribeBudgetNotificationsForAccountInput, ...func(*budgets.Options)) (*budgets.DescribeBudgetNotificationsForAccountOutput, error)
	DescribeNotificationsForBudget(context.Context, *budgets.DescribeNotificationsForBudgetInput, ...func(*budgets.Options)) (*budgets.DescribeNotificationsForBudgetOutput, error)
}

// collectBudgets reads the budgets, then the notifications of all of them in
// one bulk listing (skipped when there is no budget), or budget by budget
// where the endpoint lacks the bulk listing. Subscribers are not read: AWS
// deletes a notification with its last subscriber.
func collectBudgets(ctx context.Context, t *Task, api budgetsAPI) {
	acct := aws.String(t.Account.AccountID)
	var list []snapshot.Budget
	p := budgets.NewDescribeBudgetsPaginator(api, &budgets.DescribeBudgetsInput{AccountId: acct})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if awsx.IsNotFound(err) { // AWS's way of saying "no budget"
			break
		}
		if t.Failed("DescribeBudgets", err) {
			return
		}
		for _, b := range page.Budgets {
			list = append(list, budgetOf(b))
		}
	}
	t.Account.Global.Budgets = &snapshot.Budgets{Budgets: list}
	if len(list) == 0 {
		return
	}
	byName := map[string]*snapshot.Budget{}
	for i := range list {
		byName[list[i].Name] = &list[i]
	}
	np := budgets.NewDescribeBudgetNotificationsForAccountPaginator(api, &budgets.DescribeBudgetNotificationsForAccountInput{AccountId: acct})
	for np.HasMorePages() {
		page, err := np.NextPage(ctx)
		if awsx.IsNotFound(err) {
			break
		}
		if awsx.Classify(err) == awsx.ClassUnsupported {
			notificationsPerBudget(ctx, t, api, acct, list)
			return
		}
		if t.Failed("DescribeBudgetNotificationsForAccount", err) {
			return
		}
		for _, bn := range page.BudgetNotificationsForAccount {
			if b := byName[aws.ToString(bn.BudgetName)]; b != nil { // else created between the two listings
				b.Notifications = append(b.Notifications, notificationsOf(bn.Notifications)...)
			}
		}
	}
}

// notificationsPerBudget reads each budget's notifications in parallel. A
// budget whose read failed keeps none and the failure names it.
func notificationsPerBudget(ctx context.Context, t *Task, api budgetsAPI, acct *string, list []snapshot.Budget) {
	t.Fan(ctx, len(list), func(ctx context.Context, i int) {
		b := &list[i]
		var ns []snapshot.BudgetNotification
		err := pages(ctx, budgets.NewDescribeNotificationsForBudgetPaginator(api, &budgets.DescribeNotificationsForBudgetInput{
			AccountId: acct, BudgetName: aws.String(b.Name)}), func(p *budgets.DescribeNotificationsForBudgetOutput) {
			ns = append(ns, notificationsOf(p.Notifications)...)
		})
		if !awsx.IsNotFound(err) && !t.FailedOn("DescribeNotificationsForBudget", b.Name, err) {
			b.Notifications = ns
		}
	})
}

func notificationsOf(list []budgettypes.Notification) []snapshot.BudgetNotification {
	var out []snapshot.BudgetNotification
	for _, n := range list {
		out = append(out, snapshot.BudgetNotification{
			Type: string(n.NotificationType), Comparison: string(n.ComparisonOperator),
			Threshold: n.Threshold, ThresholdType: string(n.ThresholdType),
		})
	}
	return out
}

func budgetOf(b budgettypes.Budget) snapshot.Budget {
	out := snapshot.Budget{Name: aws.ToString(b.BudgetName), Type: string(b.BudgetType), TimeUnit: string(b.TimeUnit)}
	if l := b.BudgetLimit; l != nil {
		out.Limit = aws.ToString(l.Amount) + " " + aws.ToString(l.Unit)
	}
	in, ex := map[string]bool{}, map[string]bool{}
	for _, id := range b.CostFilters[costFilterLinkedAccount] {
		in[id] = true
	}
	linkedAccountsIn(b.FilterExpression, in, ex)
	out.LinkedAccounts, out.ExcludedAccounts = slices.Sorted(maps.Keys(in)), slices.Sorted(maps.Keys(ex))
	return out
}

// costFilterLinkedAccount is the legacy CostFilters key of the linked-account filter.
const costFilterLinkedAccount = "LinkedAccount"

// linkedAccountsIn adds the accounts that a filter expression selects with
// LINKED_ACCOUNT dimensions to in, and those it leaves out with Not to out.
func linkedAccountsIn(x *budgettypes.Expression, in, out map[string]bool) {
	if x == nil {
		return
	}
	if d := x.Dimensions; d != nil && d.Key == budgettypes.DimensionLinkedAccount {
		for _, id := range d.Values {
			in[id] = true
		}
	}
	for _, sub := range append(append([]budgettypes.Expression{}, x.And...), x.Or...) {
		linkedAccountsIn(&sub, in, out)
	}
	linkedAccountsIn(x.Not, out, in)
}
