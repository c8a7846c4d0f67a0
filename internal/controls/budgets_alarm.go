package controls

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgettypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "budgets.alarm",
	Title:    "A cost budget alerts someone",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "A sudden cost increase is often the first visible sign of a compromise (crypto-mining, data " +
		"exfiltration) or of a runaway deployment. A cost budget with an alert turns it into an email or a page " +
		"within hours instead of a surprise on the invoice.",
	Steps: "Create a monthly COST budget with ACTUAL and FORECASTED alerts to a team address or SNS topic. In the " +
		"management account, a budget without a linked-account filter covers the whole organization.\n" +
		"Console: Billing and Cost Management > Budgets > Create budget > Cost budget, add alert thresholds and recipients.\n" +
		"CLI: aws budgets create-budget --account-id <id> " +
		"--budget 'BudgetName=monthly,BudgetLimit={Amount=1000,Unit=USD},TimeUnit=MONTHLY,BudgetType=COST' " +
		"--notifications-with-subscribers 'Notification={NotificationType=FORECASTED,ComparisonOperator=GREATER_THAN,Threshold=100}," +
		"Subscribers=[{SubscriptionType=EMAIL,Address=finops@example.com}]'",
	Reads: []string{"budgets:DescribeBudgets", "budgets:DescribeBudgetNotificationsForAccount"},
	Check: func(e *catalog.Eval) {
		own := e.Account.Global.Budgets
		if own == nil {
			e.NotCollected("budgets")
			return
		}
		if b := alertingBudget(own, ""); b != nil {
			e.Pass("", "budget %s alerts at %s", describeBudget(b), describeAlerts(b))
			return
		}
		if m := e.Management(); m != nil && !e.IsManagement() && m.Global.Budgets != nil {
			if b := alertingBudget(m.Global.Budgets, e.Account.AccountID); b != nil {
				e.Pass("", "covered by the management account's budget %s, which tracks this account's cost and alerts at %s",
					describeBudget(b), describeAlerts(b))
				return
			}
		}
		// Where notifications were read budget by budget, one that could
		// not be read may be the alarm.
		for _, b := range own.Budgets {
			if err := e.FailedOn("budgets:DescribeNotificationsForBudget", b.Name); err != nil {
				e.ReadFailed(b.Name, err)
				return
			}
		}
		e.Fail("", "%s", missingBudgetAlarm(own))
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 {
				return
			}
			if len(p.Settings.AlertEmails) == 0 {
				p.Here().Block("", "no alert email is configured: set alerts.emails in baseline.yaml to receive the budget alerts")
				return
			}
			a := p.Account
			want := budgetSpec{Name: budgetName(p.Settings), LimitUSD: p.Settings.BudgetOf(a.AccountID, a.Name),
				Notifications: budgetAlerts, Subscribers: firstN(p.Settings.AlertEmails, maxBudgetSubscribers)}
			if p.IsManagement() {
				// Unfiltered, the management account's budget would hold the
				// whole organization's bill to this account's amount.
				want.LinkedAccount = a.AccountID
			}
			resource := "budget/" + want.Name
			i := slices.IndexFunc(a.Global.Budgets.Budgets, func(b snapshot.Budget) bool { return b.Name == want.Name })
			if i < 0 {
				p.Here().Create("budget", resource, want)
				return
			}
			// Ours, with its alerts removed by hand: they are added again.
			cur := a.Global.Budgets.Budgets[i]
			p.Here().Update("budget", resource, budgetSpec{Name: cur.Name, Notifications: cur.Notifications}, want)
		},
		Ops: map[string]catalog.Op{"budget": func(ctx context.Context, cfg aws.Config, ch *catalog.Change) error {
			want, err := catalog.Decode[budgetSpec](ch.After)
			if err != nil {
				return err
			}
			return ensureBudget(ctx, budgets.NewFromConfig(cfg), ch.AccountID, want)
		}},
	},
})

// budgetAlerts warn when actual spend passes 80% of the budget and when the
// month is forecast to end above it.
var budgetAlerts = []snapshot.BudgetNotification{
	{Type: "ACTUAL", Comparison: "GREATER_THAN", Threshold: 80, ThresholdType: "PERCENTAGE"},
	{Type: "FORECASTED", Comparison: "GREATER_THAN", Threshold: 100, ThresholdType: "PERCENTAGE"},
}

// maxBudgetSubscribers is how many email subscribers AWS takes per notification.
const maxBudgetSubscribers = 10

func firstN(list []string, n int) []string { return list[:min(n, len(list))] }

// budgetSpec is the monthly cost budget apply creates, and its alerts.
type budgetSpec struct {
	Name     string  `json:"name"`
	LimitUSD float64 `json:"limit_usd,omitempty"`
	// LinkedAccount restricts the budget to one account's cost.
	LinkedAccount string                        `json:"linked_account,omitempty"`
	Notifications []snapshot.BudgetNotification `json:"notifications"`
	Subscribers   []string                      `json:"subscribers,omitempty"`
}

type budgetWriter interface {
	CreateBudget(context.Context, *budgets.CreateBudgetInput, ...func(*budgets.Options)) (*budgets.CreateBudgetOutput, error)
	DescribeNotificationsForBudget(context.Context, *budgets.DescribeNotificationsForBudgetInput, ...func(*budgets.Options)) (*budgets.DescribeNotificationsForBudgetOutput, error)
	CreateNotification(context.Context, *budgets.CreateNotificationInput, ...func(*budgets.Options)) (*budgets.CreateNotificationOutput, error)
}

// ensureBudget creates the budget with its alerts in one call; when the
// budget exists (a re-run, or alerts deleted by hand) it adds the alerts it
// lacks. A budget's name is unique in its account.
func ensureBudget(ctx context.Context, c budgetWriter, account string, want budgetSpec) error {
	var subscribers []budgettypes.Subscriber
	for _, addr := range want.Subscribers {
		subscribers = append(subscribers, budgettypes.Subscriber{SubscriptionType: budgettypes.SubscriptionTypeEmail, Address: aws.String(addr)})
	}
	notification := func(n snapshot.BudgetNotification) *budgettypes.Notification {
		return &budgettypes.Notification{NotificationType: budgettypes.NotificationType(n.Type),
			ComparisonOperator: budgettypes.ComparisonOperator(n.Comparison), Threshold: n.Threshold,
			ThresholdType: budgettypes.ThresholdType(n.ThresholdType)}
	}
	b := &budgettypes.Budget{BudgetName: aws.String(want.Name), BudgetType: budgettypes.BudgetTypeCost, TimeUnit: budgettypes.TimeUnitMonthly,
		BudgetLimit: &budgettypes.Spend{Amount: aws.String(strconv.FormatFloat(want.LimitUSD, 'f', -1, 64)), Unit: aws.String("USD")}}
	if want.LinkedAccount != "" {
		b.FilterExpression = &budgettypes.Expression{Dimensions: &budgettypes.ExpressionDimensionValues{
			Key: budgettypes.DimensionLinkedAccount, Values: []string{want.LinkedAccount}}}
	}
	in := &budgets.CreateBudgetInput{AccountId: aws.String(account), Budget: b}
	for _, n := range want.Notifications {
		in.NotificationsWithSubscribers = append(in.NotificationsWithSubscribers,
			budgettypes.NotificationWithSubscribers{Notification: notification(n), Subscribers: subscribers})
	}
	if _, err := c.CreateBudget(ctx, in); !hasCode(err, "DuplicateRecordException") {
		return err
	}
	have := map[snapshot.BudgetNotification]bool{}
	p := budgets.NewDescribeNotificationsForBudgetPaginator(c, &budgets.DescribeNotificationsForBudgetInput{AccountId: aws.String(account), BudgetName: aws.String(want.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, n := range page.Notifications {
			have[snapshot.BudgetNotification{Type: string(n.NotificationType), Comparison: string(n.ComparisonOperator),
				Threshold: n.Threshold, ThresholdType: string(n.ThresholdType)}] = true
		}
	}
	for _, n := range want.Notifications {
		if have[n] {
			continue
		}
		_, err := c.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: aws.String(account), BudgetName: aws.String(want.Name),
			Notification: notification(n), Subscribers: subscribers})
		if err != nil && !hasCode(err, "DuplicateRecordException") {
			return err
		}
	}
	return nil
}

// alertingBudget returns a COST budget with a notification (AWS keeps a
// notification only while it has a subscriber) that tracks the cost of
// member, or of the account itself when member is "".
func alertingBudget(bs *snapshot.Budgets, member string) *snapshot.Budget {
	for i := range bs.Budgets {
		b := &bs.Budgets[i]
		if b.Type != "COST" || len(b.Notifications) == 0 {
			continue
		}
		if member == "" {
			return b
		}
		if (len(b.LinkedAccounts) == 0 || slices.Contains(b.LinkedAccounts, member)) && !slices.Contains(b.ExcludedAccounts, member) {
			return b
		}
	}
	return nil
}

func describeBudget(b *snapshot.Budget) string {
	return fmt.Sprintf("%s (%s %s)", b.Name, strings.TrimSpace(b.Limit), strings.ToLower(b.TimeUnit))
}

// describeAlerts renders notifications: "80% ACTUAL, 100% FORECASTED".
func describeAlerts(b *snapshot.Budget) string {
	var out []string
	for _, n := range b.Notifications {
		v := strconv.FormatFloat(n.Threshold, 'f', -1, 64)
		if n.ThresholdType != "ABSOLUTE_VALUE" {
			v += "%"
		}
		out = append(out, v+" "+n.Type)
	}
	return strings.Join(out, ", ")
}

// missingBudgetAlarm says what the account lacks for a budget alarm.
func missingBudgetAlarm(bs *snapshot.Budgets) string {
	var cost, other []string
	for _, b := range bs.Budgets {
		if b.Type == "COST" {
			cost = append(cost, b.Name)
		} else {
			other = append(other, b.Name+" ("+b.Type+")")
		}
	}
	switch {
	case len(cost) > 0:
		return fmt.Sprintf("cost budget %s has no alert: add a notification with a subscriber", listOf(cost))
	case len(other) > 0:
		return fmt.Sprintf("no COST budget, only %s: create a cost budget with an alert", listOf(other))
	}
	return "no budget: create a cost budget with an alert"
}
