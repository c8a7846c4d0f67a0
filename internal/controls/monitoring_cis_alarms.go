package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:    "monitoring.cis-alarms",
	Title: "The CIS monitoring events raise alerts",
	Stage: "F4",
	Kind:  catalog.Automated,
	Scope: catalog.ScopeAccount,
	Unit:  catalog.PerAccount,
	// Security-relevant changes nobody hears about are found after the damage.
	Severity: catalog.Medium,
	CIS: []string{"5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "5.12", "5.13",
		"5.14", "5.15", "5.16"},
	Rationale: "Root use, sign-ins without MFA, denied calls, and changes to IAM, trails, Config, keys, bucket policies, " +
		"network controls and the organization are how attacks start and how they hide. Each must reach a person within " +
		"minutes: a metric filter with an alarm on the organization trail's log group covers every member at once; " +
		"an EventBridge rule with a target covers its account and region.",
	Steps: "Either, once, on the organization trail's CloudWatch Logs group (management account), for each event below:\n" +
		"CLI: aws logs put-metric-filter --log-group-name <group> --filter-name <name> --filter-pattern '<pattern>' " +
		"--metric-transformations metricName=<name>,metricNamespace=CISBenchmark,metricValue=1\n" +
		"     aws cloudwatch put-metric-alarm --alarm-name <name> --metric-name <name> --namespace CISBenchmark --statistic Sum " +
		"--period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions <sns-topic-arn>\n" +
		"or in every account and region an EventBridge rule on the same events (detail.eventName) with the alert topic as target.\n" +
		"Patterns:\n" + cisPatterns(),
	Reads: alertingReads,
	Check: func(e *catalog.Eval) {
		al := alertingOf(e)
		if al == nil {
			return
		}
		var gaps []string
		var used []*alerter
		for _, ev := range cisEvents {
			regions, u := al.missing(ev)
			used = append(used, u...)
			switch {
			case len(regions) == 0:
			case ev.Global || len(regions) == len(al.regions):
				gaps = append(gaps, fmt.Sprintf("%s (%s)", ev.Title, ev.CIS))
			default:
				gaps = append(gaps, fmt.Sprintf("%s (%s) in %s", ev.Title, ev.CIS, strings.Join(regions, ", ")))
			}
		}
		switch {
		case len(used) == 0 && len(al.unknown) == 0:
			e.Fail("", "none of the %d CIS monitoring events (5.1–5.15) raises an alert: add metric filters with alarms on the "+
				"trail's log group, or EventBridge rules with targets", len(cisEvents))
		case len(gaps) == 0:
			e.Pass("", "all %d CIS monitoring events raise an alert, through %s", len(cisEvents), describe(used))
		case len(al.unknown) > 0:
			e.Errorf("", "cannot tell whether %s raise an alert: %s", strings.Join(gaps, "; "), strings.Join(al.unknown, "; "))
		default:
			e.Fail("", "no alert for %s: add a metric filter with an alarm on the trail's log group, or an EventBridge rule with a target",
				strings.Join(gaps, "; "))
		}
	},
	Fix: &catalog.Fix{Plan: planCISAlarms, Ops: cisAlarmOps},
})

// cisPatterns lists the benchmark's filter patterns for the manual steps.
func cisPatterns() string {
	var b strings.Builder
	for _, ev := range cisEvents {
		fmt.Fprintf(&b, "  %s %s: %s\n", ev.CIS, ev.Title, ev.Pattern)
	}
	return b.String()
}
