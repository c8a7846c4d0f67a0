package controls

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "alerts.topic",
	Title:    "Security alerts reach an SNS topic with a confirmed subscriber",
	Stage:    "F4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "An alarm that notifies nobody is silence. The security rules and alarms must publish to a topic that a " +
		"person (mail, chat, pager) has confirmed a subscription to, or the alert is lost.",
	Steps: "Create the alert topic (in the security account, with a policy letting CloudWatch and EventBridge publish), " +
		"subscribe the security team and confirm the subscription, then make it the action of the security alarms and the " +
		"target of the security rules:\n" +
		"CLI: aws sns create-topic --name security-alerts\n" +
		"     aws sns subscribe --topic-arn <topic-arn> --protocol email --notification-endpoint security@example.com\n" +
		"     aws events put-targets --rule <rule> --targets Id=alerts,Arn=<topic-arn>",
	// The queue and bucket reads are apply's: whether the queue `trail watch`
	// reads exists and the trail bucket notifies it.
	Reads: slices.Concat(alertingReads, []string{"sns:ListTopics", "sns:ListSubscriptions",
		"sqs:ListQueues", "sqs:GetQueueAttributes", "s3:GetBucketNotificationConfiguration"}),
	Check: func(e *catalog.Eval) {
		al := alertingOf(e)
		if al == nil {
			return
		}
		var security []*alerter
		for _, a := range al.all() {
			if alertsOnSecurity(a, al.account) {
				security = append(security, a)
			}
		}
		if len(security) == 0 {
			if len(al.unknown) > 0 {
				e.Errorf("", "cannot tell which rules or alarms alert on security events: %s", strings.Join(al.unknown, "; "))
				return
			}
			e.Fail("", "no alarm or EventBridge rule alerts on security events (see monitoring.cis-alarms)")
			return
		}
		d := &delivery{e: e, account: al.account}
		for _, a := range security {
			for _, target := range a.actions {
				d.follow(target, true)
			}
		}
		d.report(al.unknown)
	},
	Fix: &catalog.Fix{Plan: planAlertTopic, Ops: alertTopicOps},
})

// alertsOnSecurity reports whether the alerter sees a CIS event or, for a
// rule, a GuardDuty or Security Hub finding.
func alertsOnSecurity(a *alerter, account string) bool {
	for _, ev := range cisEvents {
		for _, s := range ev.Samples {
			if a.sees(s, account) {
				return true
			}
		}
	}
	if a.event == nil {
		return false
	}
	return slices.ContainsFunc(findingEvents(account, a.region), a.event)
}

// delivery follows the security alerts to the SNS topics they reach.
type delivery struct {
	e         *catalog.Eval
	account   string
	confirmed []string
	silent    []string
	other     []string
	unknown   []string
}

// follow resolves one action or target: an SNS topic, or the default bus
// of another account or region, whose security rules are followed once.
func (d *delivery) follow(arn string, forward bool) {
	service, region, account, res, _ := arnFields(arn)
	switch {
	case service == "sns":
		d.topic(arn, region, account)
	case service == "events" && forward && strings.HasPrefix(res, "event-bus/"):
		d.bus(arn, region, account, strings.TrimPrefix(res, "event-bus/"))
	default:
		d.other = append(d.other, arn)
	}
}

func (d *delivery) topic(arn, region, account string) {
	r := regionState(d.e.Snap, account, region)
	switch {
	case r == nil:
		d.unknown = append(d.unknown, fmt.Sprintf("topic %s is in account %s, %s, which was not assessed", arn, account, region))
	case r.SNS == nil:
		for _, op := range []string{"sns:ListTopics", "sns:ListSubscriptions"} {
			if err := failedReadIn(d.e.Snap, account, region, op, ""); err != nil {
				d.unknown = append(d.unknown, catalog.DescribeReadError(err))
				return
			}
		}
		d.unknown = append(d.unknown, fmt.Sprintf("sns was not collected in account %s, %s", account, region))
	default:
		i := slices.IndexFunc(r.SNS.Topics, func(t snapshot.Topic) bool { return t.Arn == arn })
		switch {
		case i < 0:
			d.silent = append(d.silent, arn+" (which does not exist)")
		case slices.ContainsFunc(r.SNS.Topics[i].Subscriptions, func(s snapshot.Subscription) bool { return s.Confirmed }):
			d.confirmed = append(d.confirmed, arn)
		default:
			d.silent = append(d.silent, arn)
		}
	}
}

// bus follows events sent to an event bus into its account's security rules.
func (d *delivery) bus(arn, region, account, name string) {
	r := regionState(d.e.Snap, account, region)
	switch {
	case name != "default":
		d.unknown = append(d.unknown, "the rules of event bus "+arn+" are not collected (default buses only)")
	case r == nil || r.EventBridge == nil:
		d.unknown = append(d.unknown, fmt.Sprintf("the rules of event bus %s (account %s, %s) were not assessed", arn, account, region))
	default:
		for _, rule := range r.EventBridge.Rules {
			m, err := cachedEventPattern(rule.EventPattern)
			if rule.State == "DISABLED" || rule.EventPattern == "" || err != nil {
				continue
			}
			a := &alerter{event: m, region: region, state: rule.State}
			if alertsOnSecurity(a, d.account) {
				for _, t := range rule.Targets {
					d.follow(t, false)
				}
			}
		}
	}
}

func (d *delivery) report(unknown []string) {
	for _, l := range []*[]string{&d.confirmed, &d.silent, &d.other} {
		sort.Strings(*l)
		*l = slices.Compact(*l)
	}
	unknown = append(unknown, d.unknown...)
	switch {
	case len(d.confirmed) > 0:
		d.e.Pass("", "security alerts reach SNS topic %s, which has a confirmed subscription", listOf(d.confirmed))
	case len(unknown) > 0:
		d.e.Errorf("", "cannot tell whether security alerts reach a subscriber: %s", strings.Join(unknown, "; "))
	case len(d.silent) > 0:
		d.e.Fail("", "security alerts go to SNS topic %s, which has no confirmed subscription: subscribe the security team", listOf(d.silent))
	default:
		d.e.Fail("", "security alerts go to %s, none of them an SNS topic", listOf(d.other))
	}
}
