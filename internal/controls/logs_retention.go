package controls

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

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
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			days := logRetention(p.Settings.LogRetentionDays)
			for _, f := range failures(p) {
				g := logGroupOf(f.Resource)
				p.Here().Update("retention", f.Resource, logRetentionChange{Group: g.name}, logRetentionChange{Group: g.name, Days: days})
			}
		},
		Ops: map[string]catalog.Op{"retention": decodedOp(func(ctx context.Context, cfg aws.Config, r logRetentionChange) error {
			return putLogRetention(ctx, cloudwatchlogs.NewFromConfig(cfg), r)
		})},
	},
})

// logRetentionChange is the Before and After of "retention".
type logRetentionChange struct {
	Group string `json:"log_group"`
	Days  int32  `json:"retention_days"`
}

// logRetentionDays are the periods CloudWatch Logs accepts.
var logRetentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// logRetention is the shortest period CloudWatch Logs accepts that keeps
// events at least the configured days.
func logRetention(days int) int32 {
	for _, d := range logRetentionDays {
		if int(d) >= days {
			return d
		}
	}
	return logRetentionDays[len(logRetentionDays)-1]
}

type logRetentionWriter interface {
	PutRetentionPolicy(context.Context, *cloudwatchlogs.PutRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
}

func putLogRetention(ctx context.Context, c logRetentionWriter, r logRetentionChange) error {
	_, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(r.Group), RetentionInDays: aws.Int32(r.Days)})
	return err
}
