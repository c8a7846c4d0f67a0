package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "detective.enabled",
	Title:    "Amazon Detective is enabled in the security account",
	Stage:    "C2",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.Low,
	Rationale: "Detective links CloudTrail, VPC flow logs and GuardDuty findings into a behavior graph, so an " +
		"investigation sees a principal's activity across accounts and a year of history in minutes instead of queries.",
	Steps: "Delegate Detective to the security account, then in it, in every region:\n" +
		"Console: Detective > Get started > Enable Detective; Settings > Account management > Enable all organization accounts.\n" +
		"CLI: aws detective create-graph; aws detective update-organization-configuration --graph-arn <arn> --auto-enable",
	Reads: []string{"detective:ListGraphs"},
	Knob:  "organization.security_account",
	Check: func(e *catalog.Eval) {
		sec := designatedAssessed(e, "security", "organization.security_account")
		if sec == nil {
			return
		}
		var missing []string
		for _, region := range assessedRegions(sec) {
			d := sec.Regions[region].Detective
			if d == nil {
				e.Errorf("", "detective was not collected in the security account %s in %s", accountLabel(sec), region)
				return
			}
			if len(d.Graphs) == 0 {
				missing = append(missing, region)
			}
		}
		if len(missing) > 0 {
			e.Fail("", "the security account %s has no Detective behavior graph in %s", accountLabel(sec), listOf(missing))
			return
		}
		e.Pass("", "the security account %s has a Detective behavior graph in every assessed region", accountLabel(sec))
	},
})
