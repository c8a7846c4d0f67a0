package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "logs.retention",
	Title:    "Every CloudWatch log group has a retention period",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Low,
	Rationale: "A log group without retention keeps everything forever: costs grow without bound and personal data " +
		"outlives any legal basis. A deliberate period, with the long-term copy in the log-archive account, keeps " +
		"what investigations need and nothing more.",
	Steps: "Console: CloudWatch > Log groups > <group> > Actions > Edit retention setting.\n" +
		"CLI: aws logs put-retention-policy --log-group-name <group> --retention-in-days 365",
	Reads: []string{"logs:DescribeLogGroups"},
	Check: func(e *catalog.Eval) {
		l := e.R.Logs
		if l == nil {
			e.NotCollected("logs")
			return
		}
		if len(l.Groups) == 0 {
			e.Pass("", "no log groups in %s", e.Region)
			return
		}
		for _, g := range l.Groups {
			if g.RetentionDays > 0 {
				e.Pass(g.Arn, "log group %s keeps events %d days", g.Name, g.RetentionDays)
				continue
			}
			e.Fail(g.Arn, "log group %s keeps events forever: set a retention period", g.Name)
		}
	},
})
