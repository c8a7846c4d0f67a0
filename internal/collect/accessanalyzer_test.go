package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
)

type denyAnalyzers struct{}

func (denyAnalyzers) ListAnalyzers(context.Context, *accessanalyzer.ListAnalyzersInput, ...func(*accessanalyzer.Options)) (*accessanalyzer.ListAnalyzersOutput, error) {
	return nil, errAccessDenied
}

func TestAccessAnalyzerCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "access-analyzer", "us-east-1")
	collectAccessAnalyzer(context.Background(), task, denyAnalyzers{})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Service != "access-analyzer" || errs[0].Operation != "ListAnalyzers" ||
		task.Account.Regions["us-east-1"].AccessAnalyzer != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
