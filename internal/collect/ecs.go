package collect

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "ecs", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectECS(ctx, t, ecs.NewFromConfig(t.Config))
	}})
}

// ecsAPI reads the effective account settings and counts the workloads.
type ecsAPI interface {
	ListAccountSettings(context.Context, *ecs.ListAccountSettingsInput, ...func(*ecs.Options)) (*ecs.ListAccountSettingsOutput, error)
	ListClusters(context.Context, *ecs.ListClustersInput, ...func(*ecs.Options)) (*ecs.ListClustersOutput, error)
	ListServices(context.Context, *ecs.ListServicesInput, ...func(*ecs.Options)) (*ecs.ListServicesOutput, error)
}

func collectECS(ctx context.Context, t *Task, api ecsAPI) {
	s := &snapshot.ECS{}
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 0 {
			settings := map[string]string{}
			// Effective settings: the caller's own, else the account default.
			err := pages(ctx, ecs.NewListAccountSettingsPaginator(api, &ecs.ListAccountSettingsInput{EffectiveSettings: true}), func(p *ecs.ListAccountSettingsOutput) {
				for _, st := range p.Settings {
					settings[string(st.Name)] = aws.ToString(st.Value)
				}
			})
			if !t.Failed("ListAccountSettings", err) {
				s.Settings = settings
			}
			return
		}
		var clusters []string
		err := pages(ctx, ecs.NewListClustersPaginator(api, &ecs.ListClustersInput{}), func(p *ecs.ListClustersOutput) {
			clusters = append(clusters, p.ClusterArns...)
		})
		if t.Failed("ListClusters", err) {
			return
		}
		var services atomic.Int64
		t.Fan(ctx, len(clusters), func(ctx context.Context, j int) {
			err := pages(ctx, ecs.NewListServicesPaginator(api, &ecs.ListServicesInput{Cluster: aws.String(clusters[j])}), func(p *ecs.ListServicesOutput) {
				services.Add(int64(len(p.ServiceArns)))
			})
			t.FailedOn("ListServices", clusters[j], err)
		})
		s.Clusters, s.Services = clusters, int(services.Load())
	})
	t.Account.Regions[t.Region].ECS = s
}
