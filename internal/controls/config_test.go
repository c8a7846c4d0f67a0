package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func configRecorderMoto(t *testing.T) {
	ctx := context.Background()
	ok := fixtureOK(t)
	cfg := moto.Config(t)
	api := configservice.NewFromConfig(cfg)
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"config"}}
	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "config.recorder")
	audittest.Expect(t, res, "config.recorder", "*", "us-east-1", "", catalog.StatusFail, "no configuration recorder in us-east-1")

	recorder := func(group *cfgtypes.RecordingGroup) {
		ok(api.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
			Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::123456789012:role/config"), RecordingGroup: group}}))
	}
	recorder(&cfgtypes.RecordingGroup{ResourceTypes: []cfgtypes.ResourceType{cfgtypes.ResourceTypeInstance}})
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "config.recorder")
	audittest.Expect(t, res, "config.recorder", "*", "us-east-1", "", catalog.StatusFail,
		"recorder default records only 1 selected resource types, is not recording, has no delivery channel")

	recorder(&cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true})
	ok(s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("config-logs")}))
	ok(api.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: aws.String("default"), S3BucketName: aws.String("config-logs")}}))
	ok(api.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "config.recorder")
	audittest.Expect(t, res, "config.recorder", "*", "us-east-1", "", catalog.StatusPass, "records all supported resource types (global resource types included)")
}
