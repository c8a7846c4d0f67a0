package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "rds", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectRDS(ctx, t, rds.NewFromConfig(t.Config))
	}})
}

// rdsAPI lists database instances (workload detection).
type rdsAPI interface {
	DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
}

func collectRDS(ctx context.Context, t *Task, api rdsAPI) {
	var arns []string
	err := pages(ctx, rds.NewDescribeDBInstancesPaginator(api, &rds.DescribeDBInstancesInput{}), func(p *rds.DescribeDBInstancesOutput) {
		for _, db := range p.DBInstances {
			arns = append(arns, aws.ToString(db.DBInstanceArn))
		}
	})
	if t.Failed("DescribeDBInstances", err) {
		return
	}
	t.Account.Regions[t.Region].RDS = &snapshot.RDS{Instances: arns}
}
