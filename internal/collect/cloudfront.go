package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "cloudfront", Run: func(ctx context.Context, t *Task) {
		collectCloudFront(ctx, t, cloudfront.NewFromConfig(t.Config))
	}})
}

// cloudfrontAPI lists distributions; each summary names its web ACL.
type cloudfrontAPI interface {
	ListDistributions(context.Context, *cloudfront.ListDistributionsInput, ...func(*cloudfront.Options)) (*cloudfront.ListDistributionsOutput, error)
}

func collectCloudFront(ctx context.Context, t *Task, api cloudfrontAPI) {
	var ds []snapshot.Distribution
	err := pages(ctx, cloudfront.NewListDistributionsPaginator(api, &cloudfront.ListDistributionsInput{}), func(p *cloudfront.ListDistributionsOutput) {
		if p.DistributionList == nil {
			return
		}
		for _, d := range p.DistributionList.Items {
			ds = append(ds, snapshot.Distribution{ID: aws.ToString(d.Id), Arn: aws.ToString(d.ARN), Domain: aws.ToString(d.DomainName),
				Disabled: d.Enabled != nil && !*d.Enabled, WebACLID: aws.ToString(d.WebACLId)})
		}
	})
	if t.Failed("ListDistributions", err) {
		return
	}
	t.Account.Global.CloudFr = &snapshot.CloudFront{Distributions: ds}
}
