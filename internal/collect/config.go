package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "config", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectConfig(ctx, t, configservice.NewFromConfig(t.Config))
	}})
}

// configAPI is the read-only part of AWS Config we call.
type configAPI interface {
	DescribeConfigurationRecorders(context.Context, *configservice.DescribeConfigurationRecordersInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecordersOutput, error)
	DescribeConfigurationRecorderStatus(context.Context, *configservice.DescribeConfigurationRecorderStatusInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecorderStatusOutput, error)
	DescribeDeliveryChannels(context.Context, *configservice.DescribeDeliveryChannelsInput, ...func(*configservice.Options)) (*configservice.DescribeDeliveryChannelsOutput, error)
	DescribeConfigurationAggregators(context.Context, *configservice.DescribeConfigurationAggregatorsInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationAggregatorsOutput, error)
}

// collectConfig makes the region's four independent reads in parallel and
// joins recorders with their status by name.
func collectConfig(ctx context.Context, t *Task, api configAPI) {
	c := &snapshot.Config{}
	var recorders []cfgtypes.ConfigurationRecorder
	var statuses []cfgtypes.ConfigurationRecorderStatus
	t.Fan(ctx, 4, func(ctx context.Context, i int) {
		switch i {
		case 0:
			out, err := api.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
			if !t.Failed("DescribeConfigurationRecorders", err) {
				recorders = out.ConfigurationRecorders
			}
		case 1:
			out, err := api.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
			if !t.Failed("DescribeConfigurationRecorderStatus", err) {
				statuses = out.ConfigurationRecordersStatus
			}
		case 2:
			out, err := api.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
			if t.Failed("DescribeDeliveryChannels", err) {
				return
			}
			for _, d := range out.DeliveryChannels {
				c.DeliveryChannels = append(c.DeliveryChannels, snapshot.DeliveryChannel{
					Name: aws.ToString(d.Name), S3Bucket: aws.ToString(d.S3BucketName), SNSTopic: aws.ToString(d.SnsTopicARN)})
			}
		case 3:
			c.Aggregators = configAggregators(ctx, t, api)
		}
	})
	for _, r := range recorders {
		rec := recorderOf(r)
		for _, s := range statuses {
			if aws.ToString(s.Name) == rec.Name {
				rec.Recording, rec.LastStatus = s.Recording, string(s.LastStatus)
			}
		}
		c.Recorders = append(c.Recorders, rec)
	}
	t.Account.Regions[t.Region].Config = c
}

func recorderOf(r cfgtypes.ConfigurationRecorder) snapshot.ConfigRecorder {
	rec := snapshot.ConfigRecorder{Name: aws.ToString(r.Name), RoleARN: aws.ToString(r.RoleARN), ServicePrincipal: aws.ToString(r.ServicePrincipal)}
	g := r.RecordingGroup
	if g == nil {
		// No recording group means the default: every supported type.
		rec.AllSupported, rec.RecordingStrategy = true, string(cfgtypes.RecordingStrategyTypeAllSupportedResourceTypes)
		return rec
	}
	rec.AllSupported, rec.IncludeGlobal = g.AllSupported, g.IncludeGlobalResourceTypes
	if g.RecordingStrategy != nil {
		rec.RecordingStrategy = string(g.RecordingStrategy.UseOnly)
	}
	types := g.ResourceTypes
	if g.ExclusionByResourceTypes != nil && len(g.ExclusionByResourceTypes.ResourceTypes) > 0 {
		types = g.ExclusionByResourceTypes.ResourceTypes
	}
	for _, rt := range types {
		rec.ResourceTypes = append(rec.ResourceTypes, string(rt))
	}
	return rec
}

func configAggregators(ctx context.Context, t *Task, api configAPI) []snapshot.Aggregator {
	var out []snapshot.Aggregator
	p := configservice.NewDescribeConfigurationAggregatorsPaginator(api, &configservice.DescribeConfigurationAggregatorsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("DescribeConfigurationAggregators", err) {
			return nil
		}
		for _, a := range page.ConfigurationAggregators {
			agg := snapshot.Aggregator{Name: aws.ToString(a.ConfigurationAggregatorName), Arn: aws.ToString(a.ConfigurationAggregatorArn)}
			if o := a.OrganizationAggregationSource; o != nil {
				agg.Organization, agg.AllRegions, agg.RoleArn = true, o.AllAwsRegions, aws.ToString(o.RoleArn)
			}
			for _, s := range a.AccountAggregationSources {
				agg.AllRegions = agg.AllRegions || s.AllAwsRegions
				agg.Accounts = append(agg.Accounts, s.AccountIds...)
			}
			out = append(out, agg)
		}
	}
	return out
}
