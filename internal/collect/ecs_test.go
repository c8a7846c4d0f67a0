package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

type denyECS struct{}

func (denyECS) ListAccountSettings(context.Context, *ecs.ListAccountSettingsInput, ...func(*ecs.Options)) (*ecs.ListAccountSettingsOutput, error) {
	return nil, errAccessDenied
}
func (denyECS) ListClusters(context.Context, *ecs.ListClustersInput, ...func(*ecs.Options)) (*ecs.ListClustersOutput, error) {
	return nil, errAccessDenied
}
func (denyECS) ListServices(context.Context, *ecs.ListServicesInput, ...func(*ecs.Options)) (*ecs.ListServicesOutput, error) {
	return nil, errAccessDenied
}

func TestECSCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "ecs", "us-east-1")
	collectECS(context.Background(), task, denyECS{})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"ecs:ListAccountSettings", "ecs:ListClusters"}) {
		t.Fatalf("recorded %v", got)
	}
	expectDenied(t, snap(), "account.ecs-long-arn")
}
