package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
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
			a := queryLogging(r, v.ID)
			switch {
			case a == nil:
				e.Fail(arn, "VPC %s does not log its DNS queries: %s", v.ID, hint)
			case a.Status == "ACTIVE" || a.Status == "CREATING":
				e.Pass(arn, "VPC %s logs its DNS queries through %s", v.ID, a.ConfigID)
			default:
				e.Fail(arn, "VPC %s does not log its DNS queries: its association with %s is %s", v.ID, a.ConfigID, a.Status)
			}
		}
	},
})

// queryLogging returns the VPC's working query logging association, else
// its broken one, else nil.
func queryLogging(r *snapshot.Resolver, vpc string) *snapshot.QueryLogAssociation {
	var broken *snapshot.QueryLogAssociation
	for i, a := range r.Associations {
		switch {
		case a.VPCID != vpc:
		case a.Status == "ACTIVE" || a.Status == "CREATING":
			return &r.Associations[i]
		default:
			broken = &r.Associations[i]
		}
	}
	return broken
}
