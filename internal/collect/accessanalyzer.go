package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "access-analyzer", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectAccessAnalyzer(ctx, t, accessanalyzer.NewFromConfig(t.Config))
	}})
}

// accessAnalyzerAPI is the read-only part of IAM Access Analyzer we call.
type accessAnalyzerAPI interface {
	ListAnalyzers(context.Context, *accessanalyzer.ListAnalyzersInput, ...func(*accessanalyzer.Options)) (*accessanalyzer.ListAnalyzersOutput, error)
}

func collectAccessAnalyzer(ctx context.Context, t *Task, api accessAnalyzerAPI) {
	aa := &snapshot.AccessAnalyzer{}
	p := accessanalyzer.NewListAnalyzersPaginator(api, &accessanalyzer.ListAnalyzersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("ListAnalyzers", err) {
			return
		}
		for _, a := range page.Analyzers {
			aa.Analyzers = append(aa.Analyzers, snapshot.Analyzer{
				Name: aws.ToString(a.Name), Arn: aws.ToString(a.Arn), Type: string(a.Type), Status: string(a.Status)})
		}
	}
	t.Account.Regions[t.Region].AccessAnalyzer = aa
}
