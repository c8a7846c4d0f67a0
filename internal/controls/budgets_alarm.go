package controls

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

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
		e.Fail("", "%s", missingBudgetAlarm(own))
	},
})

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
