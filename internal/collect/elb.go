package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "elasticloadbalancing", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectELB(ctx, t, elb.NewFromConfig(t.Config), wafv2.NewFromConfig(t.Config))
	}})
}

// elbAPI is the read-only part of ELBv2 the load balancer checks need.
type elbAPI interface {
	DescribeLoadBalancers(context.Context, *elb.DescribeLoadBalancersInput, ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error)
	DescribeLoadBalancerAttributes(context.Context, *elb.DescribeLoadBalancerAttributesInput, ...func(*elb.Options)) (*elb.DescribeLoadBalancerAttributesOutput, error)
}

// webACLForAPI asks WAF which web ACL protects a resource.
type webACLForAPI interface {
	GetWebACLForResource(context.Context, *wafv2.GetWebACLForResourceInput, ...func(*wafv2.Options)) (*wafv2.GetWebACLForResourceOutput, error)
}

// collectELB lists the load balancers, then per balancer reads its
// attributes and, for internet-facing application load balancers (the only
// ones WAF can protect that face the internet), the web ACL in front of it.
func collectELB(ctx context.Context, t *Task, api elbAPI, waf webACLForAPI) {
	var lbs []snapshot.LoadBalancer
	err := pages(ctx, elb.NewDescribeLoadBalancersPaginator(api, &elb.DescribeLoadBalancersInput{}), func(p *elb.DescribeLoadBalancersOutput) {
		for _, lb := range p.LoadBalancers {
			lbs = append(lbs, snapshot.LoadBalancer{Name: aws.ToString(lb.LoadBalancerName), Arn: aws.ToString(lb.LoadBalancerArn),
				Type: string(lb.Type), Scheme: string(lb.Scheme)})
		}
	})
	if t.Failed("DescribeLoadBalancers", err) {
		return
	}
	t.Fan(ctx, len(lbs), func(ctx context.Context, i int) {
		lb := &lbs[i]
		reads := []func(context.Context){func(ctx context.Context) {
			out, err := api.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(lb.Arn)})
			if t.FailedOn("DescribeLoadBalancerAttributes", lb.Arn, err) {
				return
			}
			for _, a := range out.Attributes {
				if aws.ToString(a.Key) == "access_logs.s3.enabled" {
					lb.AccessLogs = aws.ToString(a.Value) == "true"
				}
			}
		}}
		if lb.Type == string(elbtypes.LoadBalancerTypeEnumApplication) && lb.Scheme == string(elbtypes.LoadBalancerSchemeEnumInternetFacing) {
			reads = append(reads, func(ctx context.Context) {
				out, err := waf.GetWebACLForResource(ctx, &wafv2.GetWebACLForResourceInput{ResourceArn: aws.String(lb.Arn)})
				if !t.FailedOn("wafv2:GetWebACLForResource", lb.Arn, err) && out.WebACL != nil {
					lb.WebACL = aws.ToString(out.WebACL.ARN)
				}
			})
		}
		t.Fan(ctx, len(reads), func(ctx context.Context, j int) { reads[j](ctx) })
	})
	t.Account.Regions[t.Region].ELB = &snapshot.ELB{LoadBalancers: lbs}
}
