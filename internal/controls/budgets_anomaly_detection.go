package controls

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

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
	Fix: &catalog.Fix{
		// An AWS services monitor in the management account sees the whole
		// organization's spend: it is made there once, members rely on it.
		// Accounts without a readable management account get their own.
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 {
				return
			}
			if len(p.Settings.AlertEmails) == 0 {
				p.Here().Block("", "no alert email is configured: set alerts.emails in baseline.yaml to receive the cost anomaly alerts")
				return
			}
			if m := p.Management(); m != nil && !p.IsManagement() && m.Unreachable == "" && m.Global.CostAnom != nil {
				return
			}
			name := anomalyMonitor(p.Settings)
			want := anomalySubscriptionSpec{Name: name, Subscribers: firstN(p.Settings.AlertEmails, maxAnomalySubscribers),
				Frequency: string(cetypes.AnomalySubscriptionFrequencyDaily), ImpactUSD: anomalyImpactUSD}
			var deps []string
			cost := p.Account.Global.CostAnom
			// An account has at most one AWS services monitor: one that exists is used.
			if i := slices.IndexFunc(cost.Monitors, func(m snapshot.AnomalyMonitor) bool { return orgWide(&m) }); i >= 0 {
				want.MonitorArn = cost.Monitors[i].Arn
			} else {
				res := "anomaly-monitor/" + name
				p.Here().Create("monitor", res, anomalyMonitorSpec{Name: name, Dimension: string(cetypes.MonitorDimensionService)})
				want.Monitor, deps = name, []string{p.Here().Ref(res)}
			}
			res := "anomaly-subscription/" + name
			if i := slices.IndexFunc(cost.Subscriptions, func(s snapshot.AnomalySubscription) bool { return s.Name == name }); i >= 0 {
				cur := cost.Subscriptions[i]
				p.Here().Update("subscription", res, anomalySubscriptionSpec{Name: cur.Name, Monitors: cur.Monitors,
					Subscribers: cur.Subscribers, Frequency: cur.Frequency}, want, deps...)
				return
			}
			p.Here().Create("subscription", res, want, deps...)
		},
		Ops: map[string]catalog.Op{
			"monitor": decodedOp(func(ctx context.Context, cfg aws.Config, want anomalyMonitorSpec) error {
				return ensureAnomalyMonitor(ctx, costexplorer.NewFromConfig(cfg), want)
			}),
			"subscription": decodedOp(func(ctx context.Context, cfg aws.Config, want anomalySubscriptionSpec) error {
				return ensureAnomalySubscription(ctx, costexplorer.NewFromConfig(cfg), want)
			}),
		},
	},
})

// anomalyImpactUSD is the total impact from which an anomaly is sent: small
// enough to catch a crypto-miner within a day, large enough to stay quiet.
const anomalyImpactUSD = 100

// maxAnomalySubscribers is how many subscribers AWS takes per subscription.
const maxAnomalySubscribers = 10

// anomalyMonitorSpec is a DIMENSIONAL monitor apply creates.
type anomalyMonitorSpec struct {
	Name      string `json:"name"`
	Dimension string `json:"dimension"`
}

// anomalySubscriptionSpec is the alert subscription of a monitor, named by
// ARN when it exists already, else by name (created by the same apply).
type anomalySubscriptionSpec struct {
	Name        string   `json:"name"`
	MonitorArn  string   `json:"monitor_arn,omitempty"`
	Monitor     string   `json:"monitor,omitempty"`
	Monitors    []string `json:"monitors,omitempty"` // what an existing subscription watches
	Subscribers []string `json:"subscribers"`
	Frequency   string   `json:"frequency"`
	ImpactUSD   float64  `json:"impact_usd,omitempty"`
}

type anomalyWriter interface {
	costexplorer.GetAnomalyMonitorsAPIClient
	costexplorer.GetAnomalySubscriptionsAPIClient
	CreateAnomalyMonitor(context.Context, *costexplorer.CreateAnomalyMonitorInput, ...func(*costexplorer.Options)) (*costexplorer.CreateAnomalyMonitorOutput, error)
	CreateAnomalySubscription(context.Context, *costexplorer.CreateAnomalySubscriptionInput, ...func(*costexplorer.Options)) (*costexplorer.CreateAnomalySubscriptionOutput, error)
	UpdateAnomalySubscription(context.Context, *costexplorer.UpdateAnomalySubscriptionInput, ...func(*costexplorer.Options)) (*costexplorer.UpdateAnomalySubscriptionOutput, error)
}

func ceTags() []cetypes.ResourceTag {
	return managedTagList(func(k, v *string) cetypes.ResourceTag { return cetypes.ResourceTag{Key: k, Value: v} })
}

// findAnomalyMonitor returns the ARN of the monitor called name, or "".
// Monitor names are not unique: looking first is what keeps a re-run from
// making a second one.
func findAnomalyMonitor(ctx context.Context, c anomalyWriter, name string) (string, error) {
	p := costexplorer.NewGetAnomalyMonitorsPaginator(c, &costexplorer.GetAnomalyMonitorsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, m := range page.AnomalyMonitors {
			if aws.ToString(m.MonitorName) == name {
				return aws.ToString(m.MonitorArn), nil
			}
		}
	}
	return "", nil
}

func ensureAnomalyMonitor(ctx context.Context, c anomalyWriter, want anomalyMonitorSpec) error {
	arn, err := findAnomalyMonitor(ctx, c, want.Name)
	if err != nil || arn != "" {
		return err
	}
	_, err = c.CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorInput{ResourceTags: ceTags(),
		AnomalyMonitor: &cetypes.AnomalyMonitor{MonitorName: aws.String(want.Name), MonitorType: cetypes.MonitorTypeDimensional,
			MonitorDimension: cetypes.MonitorDimension(want.Dimension)}})
	return err
}

// ensureAnomalySubscription creates the subscription, or makes the one of
// that name (also unique only by looking) watch the monitor and alert the
// subscribers.
func ensureAnomalySubscription(ctx context.Context, c anomalyWriter, want anomalySubscriptionSpec) error {
	monitor := want.MonitorArn
	if monitor == "" {
		arn, err := findAnomalyMonitor(ctx, c, want.Monitor)
		if err != nil {
			return err
		}
		if arn == "" {
			return catalog.Retryable(fmt.Errorf("anomaly monitor %s is not listed yet", want.Monitor))
		}
		monitor = arn
	}
	var subscribers []cetypes.Subscriber
	for _, addr := range want.Subscribers {
		subscribers = append(subscribers, cetypes.Subscriber{Type: cetypes.SubscriberTypeEmail, Address: aws.String(addr)})
	}
	threshold := &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionAnomalyTotalImpactAbsolute,
		MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionGreaterThanOrEqual}, Values: []string{strconv.FormatFloat(want.ImpactUSD, 'f', -1, 64)}}}
	frequency := cetypes.AnomalySubscriptionFrequency(want.Frequency)
	p := costexplorer.NewGetAnomalySubscriptionsPaginator(c, &costexplorer.GetAnomalySubscriptionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range page.AnomalySubscriptions {
			if aws.ToString(s.SubscriptionName) == want.Name {
				_, err := c.UpdateAnomalySubscription(ctx, &costexplorer.UpdateAnomalySubscriptionInput{SubscriptionArn: s.SubscriptionArn,
					MonitorArnList: []string{monitor}, Subscribers: subscribers, Frequency: frequency, ThresholdExpression: threshold})
				return err
			}
		}
	}
	_, err := c.CreateAnomalySubscription(ctx, &costexplorer.CreateAnomalySubscriptionInput{ResourceTags: ceTags(),
		AnomalySubscription: &cetypes.AnomalySubscription{SubscriptionName: aws.String(want.Name), MonitorArnList: []string{monitor},
			Subscribers: subscribers, Frequency: frequency, ThresholdExpression: threshold}})
	return err
}

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
	return orgWide(m) || m.Type == "CUSTOM" && slices.Contains(m.LinkedAccounts, account)
}

// orgWide reports whether a monitor watches every account's spend (when it
// belongs to the management account): AWS services and linked accounts.
func orgWide(m *snapshot.AnomalyMonitor) bool {
	return m.Type == "DIMENSIONAL" && (m.Dimension == "SERVICE" || m.Dimension == "LINKED_ACCOUNT")
}
