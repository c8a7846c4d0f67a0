package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/detective"
)

type denyGraphs struct{}

func (denyGraphs) ListGraphs(context.Context, *detective.ListGraphsInput, ...func(*detective.Options)) (*detective.ListGraphsOutput, error) {
	return nil, errAccessDenied
}

func TestDetectiveCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "detective", "us-east-1")
	collectDetective(context.Background(), task, denyGraphs{})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "ListGraphs" || task.Account.Regions["us-east-1"].Detective != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
