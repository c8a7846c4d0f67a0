package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "elb.access-logs",
	Title:    "Load balancers write access logs",
	Stage:    "F4",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"4.10"},
	Rationale: "Access logs record every request a load balancer served: client address, path, status and latency. " +
		"They are the evidence of an attack on a web application and of what it reached.",
	Steps: "Enable access logs to an S3 bucket whose policy lets the regional ELB account (or logdelivery.elasticloadbalancing.amazonaws.com) write.\n" +
		"Console: EC2 > Load balancers > the balancer > Attributes > Edit > Access logs > S3 URI.\n" +
		"CLI: aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> --attributes " +
		"Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value=<bucket>",
	Reads: []string{"elasticloadbalancing:DescribeLoadBalancers"},
	Check: func(e *catalog.Eval) {
		s := e.R.ELB
		if s == nil {
			e.NotCollected("elasticloadbalancing")
			return
		}
		checked := 0
		for _, lb := range s.LoadBalancers {
			// Gateway load balancers pass packets through and have no access logs.
			if lb.Type == "gateway" {
				continue
			}
			checked++
			if err := e.FailedOn("elasticloadbalancing:DescribeLoadBalancerAttributes", lb.Arn); err != nil {
				e.ReadFailed(lb.Arn, err)
				continue
			}
			switch {
			case lb.AccessLogs:
				e.Pass(lb.Arn, "%s load balancer %s writes access logs", lb.Type, lb.Name)
			default:
				e.Fail(lb.Arn, "%s load balancer %s does not write access logs: enable access_logs.s3", lb.Type, lb.Name)
			}
		}
		if checked == 0 {
			e.Pass("", "no application or network load balancer in %s", e.Region)
		}
	},
})
