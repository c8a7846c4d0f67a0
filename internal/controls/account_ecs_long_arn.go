package controls

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

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
	Fix: &catalog.Fix{
		// The account default, in every region the check looks at: settings
		// disabled or missing from the effective list are turned on. A
		// principal's own override stays its owner's choice.
		Plan: func(p *catalog.Planner) {
			for _, region := range assessedRegions(p.Account) {
				r := p.Account.Regions[region].ECS
				if r == nil {
					continue // the check reported it: nothing to plan on
				}
				before, after := map[string]string{}, map[string]string{}
				for _, s := range ecsLongARNSettings {
					if v := r.Settings[s]; v != "enabled" {
						before[s], after[s] = v, "enabled"
					}
				}
				if len(after) > 0 {
					p.At(p.Account.AccountID, region).Update("long-arn", "ecs-account-setting-default", before, after)
				}
			}
		},
		Ops: map[string]catalog.Op{"long-arn": decodedOp(func(ctx context.Context, cfg aws.Config, want map[string]string) error {
			return setECSDefaults(ctx, ecs.NewFromConfig(cfg), want)
		})},
	},
})

type ecsDefaultWriter interface {
	PutAccountSettingDefault(context.Context, *ecs.PutAccountSettingDefaultInput, ...func(*ecs.Options)) (*ecs.PutAccountSettingDefaultOutput, error)
}

// setECSDefaults sets the account defaults, in a stable order.
func setECSDefaults(ctx context.Context, c ecsDefaultWriter, settings map[string]string) error {
	for _, name := range catalog.SortedKeys(settings) {
		if _, err := c.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{
			Name: ecstypes.SettingName(name), Value: aws.String(settings[name])}); err != nil {
			return err
		}
	}
	return nil
}
