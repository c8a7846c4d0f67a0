package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "waf.public-endpoints",
	Title:    "Internet-facing load balancers and CloudFront distributions have a WAF web ACL",
	Stage:    "M6",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "A web ACL in front of every public HTTP entry point blocks the common exploits (AWS managed rule " +
		"groups for known bad inputs, SQL injection, bad IP reputation) and rate-limits floods before they reach " +
		"the application.",
	Steps: "Create a web ACL with the AWS managed core rule set and associate it with every internet-facing " +
		"application load balancer (regional ACL) and CloudFront distribution (global ACL, in us-east-1).\n" +
		"Console: WAF & Shield > Web ACLs > Create web ACL > Add AWS resources.\n" +
		"CLI: aws wafv2 associate-web-acl --web-acl-arn <regional-acl-arn> --resource-arn <alb-arn>\n" +
		"     aws cloudfront update-distribution --id <id> ...   # set WebACLId to the global ACL's ARN",
	Reads: []string{"elasticloadbalancing:DescribeLoadBalancers", "cloudfront:ListDistributions"},
	Check: func(e *catalog.Eval) {
		s := e.R.ELB
		if s == nil {
			e.NotCollected("elasticloadbalancing")
			return
		}
		checked := 0
		hint := "create a regional web ACL and associate it"
		if e.R.WAF != nil && len(e.R.WAF.WebACLs) > 0 {
			hint = "associate web ACL " + e.R.WAF.WebACLs[0].Name + " (or another) with it"
		}
		for _, lb := range s.LoadBalancers {
			if lb.Type != "application" || lb.Scheme != "internet-facing" {
				continue
			}
			checked++
			if err := e.FailedOn("wafv2:GetWebACLForResource", lb.Arn); err != nil {
				e.ReadFailed(lb.Arn, err)
				continue
			}
			if lb.WebACL == "" {
				e.Fail(lb.Arn, "internet-facing load balancer %s has no web ACL: %s", lb.Name, hint)
				continue
			}
			e.Pass(lb.Arn, "internet-facing load balancer %s is protected by %s", lb.Name, lb.WebACL)
		}
		what := "internet-facing application load balancer"
		if reportsGlobal(e) {
			what += " or enabled CloudFront distribution"
			cf := e.Account.Global.CloudFr
			if cf == nil {
				e.NotCollected("cloudfront")
				return
			}
			for _, d := range cf.Distributions {
				if d.Disabled {
					continue
				}
				checked++
				if d.WebACLID == "" {
					e.Fail(d.Arn, "CloudFront distribution %s (%s) has no web ACL: associate a global (CLOUDFRONT scope) web ACL", d.ID, d.Domain)
					continue
				}
				e.Pass(d.Arn, "CloudFront distribution %s (%s) is protected by %s", d.ID, d.Domain, d.WebACLID)
			}
		}
		if checked == 0 {
			e.Pass("", "no %s in %s", what, e.Region)
		}
	},
})
