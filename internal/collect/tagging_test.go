package collect

import (
	"context"
	"slices"
	"testing"

	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
)

type denyTagging struct{}

func (denyTagging) GetResources(context.Context, *tagging.GetResourcesInput, ...func(*tagging.Options)) (*tagging.GetResourcesOutput, error) {
	return nil, errAccessDenied
}

func TestTaggingCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "tag", "us-east-1")
	collectTagging(context.Background(), task, denyTagging{})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"tag:GetResources"}) {
		t.Fatalf("recorded %v", got)
	}
	// Only once tags are required does the denial matter.
	settings := catalog.Defaults()
	settings.RequiredTags = []string{"owner"}
	ctl, _ := catalog.Get("tags.required")
	res := audit.Run(snap(), audit.Options{Settings: settings, Controls: []*catalog.Control{ctl}})
	if len(res.Findings) != 1 || res.Findings[0].Status != catalog.StatusError {
		t.Fatalf("findings %+v, want one ERROR", res.Findings)
	}
}
