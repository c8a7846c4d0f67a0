package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/detective"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "detective", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectDetective(ctx, t, detective.NewFromConfig(t.Config))
	}})
}

// detectiveAPI is the read-only part of Amazon Detective we call.
type detectiveAPI interface {
	ListGraphs(context.Context, *detective.ListGraphsInput, ...func(*detective.Options)) (*detective.ListGraphsOutput, error)
}

func collectDetective(ctx context.Context, t *Task, api detectiveAPI) {
	d := &snapshot.Detective{}
	p := detective.NewListGraphsPaginator(api, &detective.ListGraphsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("ListGraphs", err) {
			return
		}
		for _, g := range page.GraphList {
			d.Graphs = append(d.Graphs, aws.ToString(g.Arn))
		}
	}
	t.Account.Regions[t.Region].Detective = d
}
