package controls

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "cloudtrail.log-validation",
	Title:    "CloudTrail log file validation is enabled",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	CIS:      []string{"4.2"},
	Rationale: "With validation on, CloudTrail writes an hourly digest signed by AWS that chains every log file, " +
		"so a log file that was deleted or altered after delivery is detected (`baseline trail verify`).",
	Steps: "Console: CloudTrail > Trails > <trail> > General details > Edit > Log file validation: Enabled.\n" +
		"CLI: aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
	Reads: []string{"cloudtrail:DescribeTrails"},
	Check: func(e *catalog.Eval) {
		eachTrail(e, func(tr *snapshot.Trail, label string) {
			if tr.LogFileValidation {
				e.Pass(tr.Arn, "%s writes signed digest files", label)
				return
			}
			e.Fail(tr.Arn, "%s does not validate its log files: enable log file validation", label)
		})
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			planEachTrail(p, func(tr *snapshot.Trail, _ bool) {
				updateTrail(p, tr, trailUpdate{LogFileValidation: aws.Bool(false)}, trailUpdate{LogFileValidation: aws.Bool(true)})
			})
		},
		Ops: trailOps,
	},
})
