package snapshot

// Budgets lists an account's budgets.
type Budgets struct {
	Budgets []Budget `json:"budgets,omitempty"`
}

// Budget is an AWS Budgets budget with its notifications.
type Budget struct {
	Name          string               `json:"name"`
	Type          string               `json:"type"`
	Limit         string               `json:"limit,omitempty"`
	Notifications []BudgetNotification `json:"notifications,omitempty"`
}

// BudgetNotification with its subscribers (emails or SNS topics).
type BudgetNotification struct {
	Type        string   `json:"type"`
	Threshold   float64  `json:"threshold"`
	Subscribers []string `json:"subscribers,omitempty"`
}

// CostAnomaly is the Cost Anomaly Detection state.
type CostAnomaly struct {
	Monitors      []string `json:"monitors,omitempty"`
	Subscriptions []string `json:"subscriptions,omitempty"`
}
