package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "vpc.default-sg-closed",
	Title:    "Default security groups allow no traffic",
	Stage:    "F9",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"6.5"},
	Rationale: "Resources launched without an explicit security group land in the VPC's default group. With no " +
		"rules it isolates them until someone grants exactly what they need; with its default rules it lets " +
		"every such resource talk to every other and to the internet.",
	Steps: "Remove every inbound and outbound rule of each VPC's default security group, and give workloads their own groups.\n" +
		"Console: VPC > Security groups > the group named default > Inbound rules / Outbound rules > Edit > Delete all.\n" +
		"CLI: aws ec2 revoke-security-group-ingress --group-id <sg> --ip-permissions \"$(aws ec2 describe-security-groups " +
		"--group-ids <sg> --query 'SecurityGroups[0].IpPermissions')\"\n" +
		"     aws ec2 revoke-security-group-egress --group-id <sg> --ip-permissions \"$(aws ec2 describe-security-groups " +
		"--group-ids <sg> --query 'SecurityGroups[0].IpPermissionsEgress')\"",
	Reads: []string{"ec2:DescribeSecurityGroups"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		found := false
		for _, g := range s.SecurityGroups {
			if g.Name != "default" {
				continue
			}
			found = true
			arn := ec2ARN(e, "security-group", g.ID)
			var rules []string
			if n := len(g.Ingress); n > 0 {
				rules = append(rules, plural(n, "inbound rule"))
			}
			if n := len(g.Egress); n > 0 {
				rules = append(rules, plural(n, "outbound rule"))
			}
			if len(rules) > 0 {
				e.Fail(arn, "default security group %s of %s has %s: remove them all", g.ID, g.VPCID, strings.Join(rules, " and "))
				continue
			}
			e.Pass(arn, "default security group %s of %s has no rules", g.ID, g.VPCID)
		}
		if !found {
			e.Pass("", "no VPC in %s", e.Region)
		}
	},
})
