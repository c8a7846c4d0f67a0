package snapshot

// Budgets lists an account's budgets.
type Budgets struct {
	Budgets []Budget `json:"budgets,omitempty"`
}

// Budget is an AWS Budgets budget with its notifications. AWS deletes a
// notification with its last subscriber, so every notification has one.
type Budget struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	TimeUnit string `json:"time_unit,omitempty"`
	Limit    string `json:"limit,omitempty"` // "1000 USD"
	// LinkedAccounts are the accounts a LinkedAccount filter restricts the
	// budget to; empty means the cost of every account (the whole
	// organization, for a budget of the management account).
	LinkedAccounts []string `json:"linked_accounts,omitempty"`
	// ExcludedAccounts are the accounts a Not filter leaves out.
	ExcludedAccounts []string             `json:"excluded_accounts,omitempty"`
	Notifications    []BudgetNotification `json:"notifications,omitempty"`
}

// BudgetNotification is when a budget alerts: ACTUAL or FORECASTED spend
// above Threshold (a percentage of the limit unless ThresholdType is
// ABSOLUTE_VALUE).
type BudgetNotification struct {
	Type          string  `json:"type"`
	Comparison    string  `json:"comparison,omitempty"`
	Threshold     float64 `json:"threshold"`
	ThresholdType string  `json:"threshold_type,omitempty"`
}

// CostAnomaly is the Cost Anomaly Detection state.
type CostAnomaly struct {
	Monitors      []AnomalyMonitor      `json:"monitors,omitempty"`
	Subscriptions []AnomalySubscription `json:"subscriptions,omitempty"`
}

// AnomalyMonitor is a Cost Anomaly Detection monitor.
type AnomalyMonitor struct {
	Arn  string `json:"arn"`
	Name string `json:"name"`
	Type string `json:"type"` // DIMENSIONAL or CUSTOM
	// Dimension is what a DIMENSIONAL monitor splits spend by (SERVICE,
	// LINKED_ACCOUNT, ...).
	Dimension string `json:"dimension,omitempty"`
	// LinkedAccounts are the accounts a CUSTOM monitor is restricted to.
	LinkedAccounts []string `json:"linked_accounts,omitempty"`
}

// AnomalySubscription sends the anomalies of its monitors to subscribers.
type AnomalySubscription struct {
	Arn       string   `json:"arn"`
	Name      string   `json:"name"`
	Monitors  []string `json:"monitors"` // monitor ARNs
	Frequency string   `json:"frequency,omitempty"`
	// Subscribers are email addresses or SNS topic ARNs, declined ones left out.
	Subscribers []string `json:"subscribers,omitempty"`
}
