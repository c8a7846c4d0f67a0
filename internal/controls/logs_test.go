package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func logsRetentionMoto(t *testing.T) {
	ctx := context.Background()
	ok := fixtureOK(t)
	api := cloudwatchlogs.NewFromConfig(moto.Config(t))
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"logs"}}
	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "logs.retention")
	audittest.Expect(t, res, "logs.retention", "*", "us-east-1", "", catalog.StatusPass, "no log groups in us-east-1")

	ok(api.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/kept")}))
	ok(api.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/app/kept"), RetentionInDays: aws.Int32(365)}))
	ok(api.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/forever")}))
	snap := audittest.Collect(t, opts)
	prefix := "arn:aws:logs:us-east-1:" + snap.Accounts[0].AccountID + ":log-group:"
	res = audittest.Audit(t, snap, catalog.Defaults(), "logs.retention")
	audittest.Expect(t, res, "logs.retention", "*", "us-east-1", prefix+"/app/kept", catalog.StatusPass, "keeps events 365 days")
	audittest.Expect(t, res, "logs.retention", "*", "us-east-1", prefix+"/app/forever", catalog.StatusFail, "keeps events forever")
}

// The account-level subscription policy is a moto gap: hand-built snapshots.
func TestCentralPipelineAccountPolicy(t *testing.T) {
	group := snapshot.LogGroup{Name: "/app", Arn: "arn:aws:logs:us-east-1:222222222222:log-group:/app"}
	pipeline := func(policy *snapshot.SubscriptionPolicy, errs ...snapshot.Error) *snapshot.Snapshot {
		snap := orgSnapshot(regionAccount("555555555555", "log-archive", &snapshot.Region{Logs: &snapshot.Logs{}}),
			regionAccount("222222222222", "prod", &snapshot.Region{Logs: &snapshot.Logs{Groups: []snapshot.LogGroup{group}, SubscriptionPolicy: policy}}))
		snap.Errors = errs
		return snap
	}
	central := &snapshot.SubscriptionPolicy{Name: "central", DestinationArn: "arn:aws:logs:us-east-1:555555555555:destination:central"}
	res := audittest.Audit(t, pipeline(central), catalog.Defaults(), "logs.central-pipeline")
	audittest.Expect(t, res, "logs.central-pipeline", "222222222222", "us-east-1", group.Arn, catalog.StatusPass, "through account-level subscription policy central")
	audittest.Expect(t, res, "logs.central-pipeline", "555555555555", "us-east-1", "", catalog.StatusPass, "no log groups")

	local := &snapshot.SubscriptionPolicy{Name: "local", DestinationArn: "arn:aws:firehose:us-east-1:222222222222:deliverystream/x"}
	res = audittest.Audit(t, pipeline(local), catalog.Defaults(), "logs.central-pipeline")
	audittest.Expect(t, res, "logs.central-pipeline", "222222222222", "us-east-1", group.Arn, catalog.StatusFail, "which is not in the log-archive account 555555555555")

	excluding := &snapshot.SubscriptionPolicy{Name: "central", DestinationArn: central.DestinationArn, Excluded: []string{"/app"}}
	res = audittest.Audit(t, pipeline(excluding), catalog.Defaults(), "logs.central-pipeline")
	audittest.Expect(t, res, "logs.central-pipeline", "222222222222", "us-east-1", group.Arn, catalog.StatusFail, "has no subscription to the log-archive account")

	res = audittest.Audit(t, pipeline(nil, denial("222222222222", "logs:DescribeAccountPolicies", "")), catalog.Defaults(), "logs.central-pipeline")
	audittest.Expect(t, res, "logs.central-pipeline", "222222222222", "us-east-1", group.Arn, catalog.StatusError, "access denied to logs:DescribeAccountPolicies")

	res = audittest.Audit(t, pipeline(nil, denial("222222222222", "logs:DescribeSubscriptionFilters", group.Arn)), catalog.Defaults(), "logs.central-pipeline")
	audittest.Expect(t, res, "logs.central-pipeline", "222222222222", "us-east-1", group.Arn, catalog.StatusError, "access denied to logs:DescribeSubscriptionFilters")
}
