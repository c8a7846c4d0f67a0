package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "vpc.dns-query-logs",
	Title:    "Route 53 Resolver query logging on every VPC",
	Stage:    "F4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Low,
	Rationale: "Malware, crypto-miners and exfiltration over DNS all resolve names: the VPC's DNS queries show which " +
		"instance looked up which domain, which flow logs (IP addresses only) cannot.",
	Steps: "Console: Route 53 > Resolver > Query logging > Configure query logging, destination the log-archive " +
		"bucket, add every VPC (share one configuration across accounts with AWS RAM).\n" +
		"CLI: aws route53resolver create-resolver-query-log-config --name org-dns --destination-arn arn:aws:s3:::<bucket>\n" +
		"     aws route53resolver associate-resolver-query-log-config --resolver-query-log-config-id <id> --resource-id <vpc-id>",
	Reads: []string{"ec2:DescribeVpcs", "route53resolver:ListResolverQueryLogConfigs", "route53resolver:ListResolverQueryLogConfigAssociations"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		r := e.R.Resolver
		if r == nil {
			e.NotCollected("route53resolver")
			return
		}
		if len(s.VPCs) == 0 {
			e.Pass("", "no VPC in %s", e.Region)
			return
		}
		hint := "create a query logging configuration and associate it"
		if len(r.QueryLogConfigs) > 0 {
			hint = "associate it with query logging configuration " + listOf(r.QueryLogConfigs)
		}
		for _, v := range s.VPCs {
			arn := ec2ARN(e, "vpc", v.ID)
			var failed string
			logged := false
			for _, a := range r.Associations {
				if a.VPCID != v.ID {
					continue
				}
				if a.Status == "ACTIVE" || a.Status == "CREATING" {
					e.Pass(arn, "VPC %s logs its DNS queries through %s", v.ID, a.ConfigID)
					logged = true
					break
				}
				failed = a.ConfigID + " is " + a.Status
			}
			switch {
			case logged:
			case failed != "":
				e.Fail(arn, "VPC %s does not log its DNS queries: its association with %s", v.ID, failed)
			default:
				e.Fail(arn, "VPC %s does not log its DNS queries: %s", v.ID, hint)
			}
		}
	},
})
