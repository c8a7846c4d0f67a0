package controls

import (
	"slices"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "budgets.anomaly-detection",
	Title:    "A Cost Anomaly Detection monitor alerts someone",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "A budget catches spend above a fixed line; anomaly detection catches spend unusual for a service or " +
		"an account, such as GPU instances in a region nobody uses, long before it reaches the budget.",
	Steps: "Create an AWS services monitor and a subscription that emails a team (or notifies an SNS topic). In the " +
		"management account, an AWS services or linked-account monitor covers the whole organization.\n" +
		"Console: Billing and Cost Management > Cost Anomaly Detection > Create monitor > AWS services, then add an alert subscription.\n" +
		"CLI: aws ce create-anomaly-monitor --anomaly-monitor MonitorName=services,MonitorType=DIMENSIONAL,MonitorDimension=SERVICE\n" +
		"     aws ce create-anomaly-subscription --anomaly-subscription 'SubscriptionName=finops,Frequency=DAILY," +
		"MonitorArnList=[<monitor-arn>],Subscribers=[{Type=EMAIL,Address=finops@example.com}],Threshold=100'",
	Reads: []string{"ce:GetAnomalyMonitors", "ce:GetAnomalySubscriptions"},
	Check: func(e *catalog.Eval) {
		own := e.Account.Global.CostAnom
		if own == nil {
			e.NotCollected("ce")
			return
		}
		if m, s := alertingMonitor(own, ""); m != nil {
			e.Pass("", "monitor %s alerts %s (%s)", m.Name, listOf(s.Subscribers), s.Frequency)
			return
		}
		if mgmt := e.Management(); mgmt != nil && !e.IsManagement() && mgmt.Global.CostAnom != nil {
			if m, s := alertingMonitor(mgmt.Global.CostAnom, e.Account.AccountID); m != nil {
				e.Pass("", "covered by the management account's monitor %s, which alerts %s (%s)", m.Name, listOf(s.Subscribers), s.Frequency)
				return
			}
		}
		switch len(own.Monitors) {
		case 0:
			e.Fail("", "no Cost Anomaly Detection monitor: create an AWS services monitor with an alert subscription")
		default:
			var names []string
			for _, m := range own.Monitors {
				names = append(names, m.Name)
			}
			e.Fail("", "monitor %s has no alert subscription with a subscriber", listOf(names))
		}
	},
})

// alertingMonitor returns a monitor with a subscription that has a
// subscriber. For member != "", only management-account monitors that see
// the member's spend count: AWS services and linked-account monitors cover
// the organization, custom monitors the accounts they name.
func alertingMonitor(c *snapshot.CostAnomaly, member string) (*snapshot.AnomalyMonitor, *snapshot.AnomalySubscription) {
	for i := range c.Monitors {
		m := &c.Monitors[i]
		if member != "" && !monitorCovers(m, member) {
			continue
		}
		for j := range c.Subscriptions {
			s := &c.Subscriptions[j]
			if len(s.Subscribers) > 0 && slices.Contains(s.Monitors, m.Arn) {
				return m, s
			}
		}
	}
	return nil, nil
}

func monitorCovers(m *snapshot.AnomalyMonitor, account string) bool {
	if m.Type == "DIMENSIONAL" {
		return m.Dimension == "SERVICE" || m.Dimension == "LINKED_ACCOUNT"
	}
	return m.Type == "CUSTOM" && slices.Contains(m.LinkedAccounts, account)
}
