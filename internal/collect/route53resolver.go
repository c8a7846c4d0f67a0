package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "route53resolver", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectResolver(ctx, t, route53resolver.NewFromConfig(t.Config))
	}})
}

// resolverAPI lists DNS query logging configurations and the VPCs they log.
type resolverAPI interface {
	ListResolverQueryLogConfigs(context.Context, *route53resolver.ListResolverQueryLogConfigsInput, ...func(*route53resolver.Options)) (*route53resolver.ListResolverQueryLogConfigsOutput, error)
	ListResolverQueryLogConfigAssociations(context.Context, *route53resolver.ListResolverQueryLogConfigAssociationsInput, ...func(*route53resolver.Options)) (*route53resolver.ListResolverQueryLogConfigAssociationsOutput, error)
}

func collectResolver(ctx context.Context, t *Task, api resolverAPI) {
	s := &snapshot.Resolver{}
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 0 {
			var ids []string
			err := pages(ctx, route53resolver.NewListResolverQueryLogConfigsPaginator(api, &route53resolver.ListResolverQueryLogConfigsInput{}),
				func(p *route53resolver.ListResolverQueryLogConfigsOutput) {
					for _, c := range p.ResolverQueryLogConfigs {
						ids = append(ids, aws.ToString(c.Id))
					}
				})
			if !t.Failed("ListResolverQueryLogConfigs", err) {
				s.QueryLogConfigs = ids
			}
			return
		}
		var as []snapshot.QueryLogAssociation
		err := pages(ctx, route53resolver.NewListResolverQueryLogConfigAssociationsPaginator(api, &route53resolver.ListResolverQueryLogConfigAssociationsInput{}),
			func(p *route53resolver.ListResolverQueryLogConfigAssociationsOutput) {
				for _, a := range p.ResolverQueryLogConfigAssociations {
					as = append(as, snapshot.QueryLogAssociation{VPCID: aws.ToString(a.ResourceId),
						ConfigID: aws.ToString(a.ResolverQueryLogConfigId), Status: string(a.Status)})
				}
			})
		if !t.Failed("ListResolverQueryLogConfigAssociations", err) {
			s.Associations = as
		}
	})
	t.Account.Regions[t.Region].Resolver = s
}
