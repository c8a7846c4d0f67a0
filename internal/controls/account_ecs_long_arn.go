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
		var off []string
		for _, region := range assessedRegions(e.Account) {
			ecs := e.Account.Regions[region].ECS
			if ecs == nil {
				e.NotCollected("ecs")
				return
			}
			var names []string
			for _, s := range ecsLongARNSettings {
				if ecs.Settings[s] != "enabled" {
					names = append(names, s)
				}
			}
			if len(names) > 0 {
				off = append(off, region+": "+strings.Join(names, ", "))
			}
		}
		if len(off) > 0 {
			e.Fail("", "the long ARN format is not enabled (%s): opt in with put-account-setting-default", strings.Join(off, "; "))
			return
		}
		e.Pass("", "the long ARN format is enabled for tasks, services and container instances in %s", listOf(assessedRegions(e.Account)))
	},
})
