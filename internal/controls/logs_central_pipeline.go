package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "logs.central-pipeline",
	Title:    "CloudWatch log groups stream to the log-archive account",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "Logs that stay in the account that produced them die with it, and whoever compromises the account " +
		"can erase them. A subscription to a destination in the log-archive account (Logs destination or Firehose " +
		"to S3) keeps a copy out of reach and in one place for search.",
	Steps: "In the log-archive account create a CloudWatch Logs destination (backed by Firehose to S3) whose policy " +
		"allows the organization, then in each account and region either one account-level policy:\n" +
		"CLI: aws logs put-account-policy --policy-name central --policy-type SUBSCRIPTION_FILTER_POLICY --scope ALL " +
		"--policy-document '{\"DestinationArn\":\"<destination-arn>\",\"FilterPattern\":\"\",\"Distribution\":\"Random\"}'\n" +
		"or a subscription per log group:\n" +
		"CLI: aws logs put-subscription-filter --log-group-name <group> --filter-name central --filter-pattern '' " +
		"--destination-arn <destination-arn>",
	Reads: []string{"logs:DescribeLogGroups", "logs:DescribeSubscriptionFilters"},
	Knob:  "organization.log_archive_account",
	Check: func(e *catalog.Eval) {
		l := e.R.Logs
		if l == nil {
			e.NotCollected("logs")
			return
		}
		la := designated(e, "log-archive", "organization.log_archive_account")
		if la == nil {
			return
		}
		if len(l.Groups) == 0 {
			e.Pass("", "no log groups in %s", e.Region)
			return
		}
		// The account-level policy is read apart from the groups: when it is
		// unreadable, groups with their own subscription still pass.
		policyErr := e.Failed("logs:DescribeAccountPolicies")
		for _, g := range l.Groups {
			centralPipeline(e, la.AccountID, l.SubscriptionPolicy, policyErr, &g)
		}
	},
})

func centralPipeline(e *catalog.Eval, archive string, policy *snapshot.SubscriptionPolicy, policyErr *snapshot.Error, g *snapshot.LogGroup) {
	if err := e.FailedOn("logs:DescribeSubscriptionFilters", g.Arn); err != nil {
		e.ReadFailed(g.Arn, err)
		return
	}
	var elsewhere []string
	for _, s := range g.Subscriptions {
		if _, _, acct, _, _ := arnFields(s.DestinationArn); acct == archive {
			e.Pass(g.Arn, "log group %s streams to %s in the log-archive account", g.Name, s.DestinationArn)
			return
		}
		elsewhere = append(elsewhere, s.DestinationArn)
	}
	switch {
	case policy.Covers(g.Name):
		if _, _, acct, _, _ := arnFields(policy.DestinationArn); acct == archive {
			e.Pass(g.Arn, "log group %s streams through account-level subscription policy %s to %s in the log-archive account",
				g.Name, policy.Name, policy.DestinationArn)
			return
		}
		e.Fail(g.Arn, "log group %s streams through account-level subscription policy %s to %s, which is not in the log-archive account %s",
			g.Name, policy.Name, policy.DestinationArn, archive)
	case policyErr != nil:
		e.ReadFailed(g.Arn, policyErr)
	case len(elsewhere) > 0:
		e.Fail(g.Arn, "log group %s streams to %s, not to the log-archive account %s", g.Name, listOf(elsewhere), archive)
	default:
		e.Fail(g.Arn, "log group %s has no subscription to the log-archive account %s", g.Name, archive)
	}
}
