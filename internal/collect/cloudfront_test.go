package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
)

type denyCloudFront struct{}

func (denyCloudFront) ListDistributions(context.Context, *cloudfront.ListDistributionsInput, ...func(*cloudfront.Options)) (*cloudfront.ListDistributionsOutput, error) {
	return nil, errAccessDenied
}

func TestCloudFrontCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "cloudfront", "")
	collectCloudFront(context.Background(), task, denyCloudFront{})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"cloudfront:ListDistributions"}) || snap().Accounts[0].Global.CloudFr != nil {
		t.Fatalf("recorded %v", got)
	}
}
