package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "cloudwatch", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectCloudWatch(ctx, t, cloudwatch.NewFromConfig(t.Config, CloudWatchQuery))
	}})
}

// CloudWatchQuery makes a CloudWatch client speak awsQuery, which CloudWatch
// still serves everywhere, instead of the SDK's default RPCv2 CBOR, which
// the emulator does not understand.
func CloudWatchQuery(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
}

// cloudWatchAPI is the read-only part of CloudWatch we call.
type cloudWatchAPI interface {
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

func collectCloudWatch(ctx context.Context, t *Task, api cloudWatchAPI) {
	cw := &snapshot.CloudWatch{}
	p := cloudwatch.NewDescribeAlarmsPaginator(api, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("DescribeAlarms", err) {
			return
		}
		for _, a := range page.MetricAlarms {
			cw.Alarms = append(cw.Alarms, snapshot.Alarm{Name: aws.ToString(a.AlarmName), MetricName: aws.ToString(a.MetricName),
				Namespace: aws.ToString(a.Namespace), Actions: a.AlarmActions, Enabled: aws.ToBool(a.ActionsEnabled)})
		}
	}
	t.Account.Regions[t.Region].CloudWatch = cw
}
