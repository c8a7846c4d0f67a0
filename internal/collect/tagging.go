package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "tag", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectTagging(ctx, t, tagging.NewFromConfig(t.Config))
	}})
}

// taggingAPI reads every tagged resource of a region with its tags in one
// paginated listing, instead of one tag read per resource and service.
type taggingAPI interface {
	GetResources(context.Context, *tagging.GetResourcesInput, ...func(*tagging.Options)) (*tagging.GetResourcesOutput, error)
}

// taggingPage is the most resources GetResources returns per call.
const taggingPage = 100

func collectTagging(ctx context.Context, t *Task, api taggingAPI) {
	var out []snapshot.TaggedResource
	in := &tagging.GetResourcesInput{ResourcesPerPage: aws.Int32(taggingPage)}
	err := pages(ctx, tagging.NewGetResourcesPaginator(api, in), func(p *tagging.GetResourcesOutput) {
		for _, r := range p.ResourceTagMappingList {
			res := snapshot.TaggedResource{Arn: aws.ToString(r.ResourceARN)}
			if len(r.Tags) > 0 {
				res.Tags = make(map[string]string, len(r.Tags))
				for _, tag := range r.Tags {
					res.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
				}
			}
			out = append(out, res)
		}
	})
	if t.Failed("GetResources", err) {
		return
	}
	t.Account.Regions[t.Region].Tagging = &snapshot.Tagging{Resources: out}
}
