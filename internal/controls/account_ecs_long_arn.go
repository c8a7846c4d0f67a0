package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// ecsLongARNSettings are the ECS account settings of the long ARN format.
var ecsLongARNSettings = []string{"taskLongArnFormat", "serviceLongArnFormat", "containerInstanceLongArnFormat"}

var _ = catalog.Register(&catalog.Control{
	ID:       "account.ecs-long-arn",
	Title:    "ECS long ARN format opted in",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Low,
	Rationale: "Only the long ARN format, which carries the cluster name, lets ECS tasks, services and container " +
		"instances be tagged, so tag-based cost allocation, access control and backup selections can reach them.",
	Steps: "Opt the account in, in every region (accounts created since 2021 already are).\n" +
		"Console: ECS > Account settings > Update > ARN and resource ID settings.\n" +
		"CLI: for s in taskLongArnFormat serviceLongArnFormat containerInstanceLongArnFormat; do " +
		"aws ecs put-account-setting-default --name $s --value enabled --region <region>; done",
	Reads: []string{"ecs:ListAccountSettings"},
	Check: func(e *catalog.Eval) {
		var off, unknown []string
		for _, region := range assessedRegions(e.Account) {
			ecs := e.Account.Regions[region].ECS
			if ecs == nil {
				e.NotCollected("ecs")
				return
			}
			var disabled, missing []string
			for _, s := range ecsLongARNSettings {
				switch v, ok := ecs.Settings[s]; {
				case !ok:
					missing = append(missing, s)
				case v != "enabled":
					disabled = append(disabled, s)
				}
			}
			if len(disabled) > 0 {
				off = append(off, region+": "+strings.Join(disabled, ", "))
			}
			if len(missing) > 0 {
				unknown = append(unknown, region+": "+strings.Join(missing, ", "))
			}
		}
		switch {
		case len(off) > 0:
			e.Fail("", "the long ARN format is disabled (%s): opt in with put-account-setting-default", strings.Join(off, "; "))
		case len(unknown) > 0:
			// AWS reports every effective setting; one it leaves out cannot be judged.
			e.Errorf("", "ecs:ListAccountSettings returned no effective value for %s", strings.Join(unknown, "; "))
		default:
			e.Pass("", "the long ARN format is enabled for tasks, services and container instances in %s", listOf(assessedRegions(e.Account)))
		}
	},
})
