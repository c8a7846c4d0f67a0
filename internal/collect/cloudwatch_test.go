package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

type denyAlarms struct{}

func (denyAlarms) DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return nil, errAccessDenied
}

func TestCloudWatchCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "cloudwatch", "us-east-1")
	collectCloudWatch(context.Background(), task, denyAlarms{})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "DescribeAlarms" || task.Account.Regions["us-east-1"].CloudWatch != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
