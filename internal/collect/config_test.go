package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

// fakeConfig answers every read with err, or with one recorder, its status,
// a channel and an organization aggregator.
type fakeConfig struct{ err error }

func (f fakeConfig) DescribeConfigurationRecorders(context.Context, *configservice.DescribeConfigurationRecordersInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecordersOutput, error) {
	return &configservice.DescribeConfigurationRecordersOutput{ConfigurationRecorders: []cfgtypes.ConfigurationRecorder{{
		Name: aws.String("default"), RecordingGroup: &cfgtypes.RecordingGroup{
			RecordingStrategy:        &cfgtypes.RecordingStrategy{UseOnly: cfgtypes.RecordingStrategyTypeExclusionByResourceTypes},
			ExclusionByResourceTypes: &cfgtypes.ExclusionByResourceTypes{ResourceTypes: []cfgtypes.ResourceType{"AWS::EC2::Instance"}}},
	}}}, f.err
}

func (f fakeConfig) DescribeConfigurationRecorderStatus(context.Context, *configservice.DescribeConfigurationRecorderStatusInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecorderStatusOutput, error) {
	return &configservice.DescribeConfigurationRecorderStatusOutput{ConfigurationRecordersStatus: []cfgtypes.ConfigurationRecorderStatus{{
		Name: aws.String("default"), Recording: true, LastStatus: cfgtypes.RecorderStatusSuccess}}}, f.err
}

func (f fakeConfig) DescribeDeliveryChannels(context.Context, *configservice.DescribeDeliveryChannelsInput, ...func(*configservice.Options)) (*configservice.DescribeDeliveryChannelsOutput, error) {
	return &configservice.DescribeDeliveryChannelsOutput{DeliveryChannels: []cfgtypes.DeliveryChannel{{Name: aws.String("default"), S3BucketName: aws.String("b")}}}, f.err
}

func (f fakeConfig) DescribeConfigurationAggregators(context.Context, *configservice.DescribeConfigurationAggregatorsInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationAggregatorsOutput, error) {
	return &configservice.DescribeConfigurationAggregatorsOutput{ConfigurationAggregators: []cfgtypes.ConfigurationAggregator{{
		ConfigurationAggregatorName: aws.String("org"), OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{AllAwsRegions: true}}}}, f.err
}

func TestConfigCollector(t *testing.T) {
	task, _ := fakeTask(t, "config", "us-east-1")
	collectConfig(context.Background(), task, fakeConfig{})
	c := task.Account.Regions["us-east-1"].Config
	r := c.Recorders[0]
	if !r.Recording || r.AllSupported || r.RecordingStrategy != "EXCLUSION_BY_RESOURCE_TYPES" || r.ResourceTypes[0] != "AWS::EC2::Instance" {
		t.Errorf("recorder = %+v", r)
	}
	if len(c.DeliveryChannels) != 1 || !c.Aggregators[0].Organization || !c.Aggregators[0].AllRegions {
		t.Errorf("config = %+v", c)
	}

	task, snap := fakeTask(t, "config", "us-east-1")
	collectConfig(context.Background(), task, fakeConfig{err: errAccessDenied})
	if n := len(snap().Errors); n != 4 {
		t.Fatalf("recorded %d errors, want 4: %+v", n, snap().Errors)
	}
}
