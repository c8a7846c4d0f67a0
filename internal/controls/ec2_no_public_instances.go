package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "ec2.no-public-instances",
	Title:    "No instance with a public IP in a security group open to the internet",
	Stage:    "F6",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.High,
	Rationale: "An instance with a public address whose security group admits the internet is directly reachable by " +
		"anyone: every service it listens on is attack surface. Put instances in private subnets behind a load " +
		"balancer, and reach them with Session Manager.",
	Steps: "Move the instance to a private subnet behind a load balancer, or remove its public address, or remove " +
		"the security group rules that admit 0.0.0.0/0 or ::/0.\n" +
		"Console: EC2 > Instances > the instance > Security > the group > Edit inbound rules.\n" +
		"CLI: aws ec2 revoke-security-group-ingress --group-id <sg> --ip-permissions <rule>\n" +
		"     aws ec2 disassociate-address --association-id <eip-association>   # for an Elastic IP",
	Reads: []string{"ec2:DescribeInstances", "ec2:DescribeSecurityGroups"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		if len(s.Instances) == 0 {
			e.Pass("", "no instance in %s", e.Region)
			return
		}
		groups := map[string]*snapshot.SecurityGroup{}
		for j := range s.SecurityGroups {
			groups[s.SecurityGroups[j].ID] = &s.SecurityGroups[j]
		}
		for _, i := range s.Instances {
			arn := ec2ARN(e, "instance", i.ID)
			if i.PublicIP == "" {
				e.Pass(arn, "instance %s has no public IP", i.ID)
				continue
			}
			var open []string
			for _, id := range i.SecurityGroups {
				if g := groups[id]; g != nil {
					if rules := internetIngress(g); len(rules) > 0 {
						open = append(open, g.ID+" admits "+strings.Join(rules, ", "))
					}
				}
			}
			if len(open) > 0 {
				e.Fail(arn, "instance %s has public IP %s and security group %s: make it private or close the group",
					i.ID, i.PublicIP, strings.Join(open, "; "))
				continue
			}
			e.Pass(arn, "instance %s has public IP %s but no security group admits the internet", i.ID, i.PublicIP)
		}
	},
})
