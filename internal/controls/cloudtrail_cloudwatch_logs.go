package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "cloudtrail.cloudwatch-logs",
	Title:    "The organization trail also delivers to CloudWatch Logs",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "S3 delivery lags by minutes and cannot raise alarms. Delivering the same trail to a CloudWatch Logs group " +
		"lets metric filters and alarms react within a minute to root use, stopped trails or policy changes " +
		"(monitoring.cis-alarms), for every account at once when it is the organization trail.",
	Steps: "Console (management account): CloudTrail > Trails > <org trail> > CloudWatch Logs > Edit > Enabled, " +
		"new or existing log group, role CloudTrailRoleForCloudWatchLogs.\n" +
		"CLI: aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <log-group-arn> " +
		"--cloud-watch-logs-role-arn <role-arn>",
	Reads: []string{"cloudtrail:DescribeTrails"},
	Check: func(e *catalog.Eval) {
		trails, ok := coveringTrails(e)
		if !ok {
			return
		}
		main := mainTrails(e, trails)
		if len(main) == 0 {
			e.Fail("", "no multi-region trail of record covers this account (see cloudtrail.org-trail)")
			return
		}
		var labels []string
		for _, tr := range main {
			if tr.CloudWatchLogsGroup != "" {
				e.Pass("", "%s delivers to CloudWatch Logs group %s", trailLabel(e, &tr), logGroupOf(tr.CloudWatchLogsGroup).name)
				return
			}
			labels = append(labels, trailLabel(e, &tr))
		}
		e.Fail("", "%s does not deliver to CloudWatch Logs: add a log group to it", listOf(labels))
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			planTrailOfRecord(p, func(tr *snapshot.Trail) {
				group, role, deps := planTrailLogs(p, tr.HomeRegion)
				updateTrail(p, tr, trailUpdate{}, trailUpdate{CloudWatchLogsGroup: group, CloudWatchLogsRole: role}, deps...)
			})
		},
		Ops: trailOps,
	},
})
