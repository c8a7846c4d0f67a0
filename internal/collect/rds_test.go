package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

type denyRDS struct{}

func (denyRDS) DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	return nil, errAccessDenied
}

func TestRDSCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "rds", "us-east-1")
	collectRDS(context.Background(), task, denyRDS{})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"rds:DescribeDBInstances"}) || snap().Accounts[0].Regions["us-east-1"].RDS != nil {
		t.Fatalf("recorded %v", got)
	}
}
