package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "vpc.no-admin-ports-open",
	Title:    "No security group or network ACL opens SSH, RDP or all ports to the internet",
	Stage:    "F9",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.High,
	CIS:      []string{"6.2", "6.3", "6.4"},
	Rationale: "SSH and RDP open to 0.0.0.0/0 or ::/0 are found by internet-wide scanners within minutes and brute-forced " +
		"or exploited. Administer instances through Session Manager, a bastion reachable only from known addresses, or a VPN.",
	Steps: "Remove inbound rules that admit 0.0.0.0/0 or ::/0 on ports 22 or 3389 (or all ports), and network ACL " +
		"entries that allow them ahead of a deny; use AWS Systems Manager Session Manager instead.\n" +
		"Console: VPC > Security groups > the group > Inbound rules > Edit; VPC > Network ACLs > the ACL > Inbound rules > Edit.\n" +
		"CLI: aws ec2 revoke-security-group-ingress --group-id <sg> --protocol tcp --port 22 --cidr 0.0.0.0/0\n" +
		"     aws ec2 create-network-acl-entry --network-acl-id <acl> --ingress --rule-number 50 --protocol tcp " +
		"--port-range From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny",
	Reads: []string{"ec2:DescribeSecurityGroups", "ec2:DescribeNetworkAcls"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		if len(s.SecurityGroups)+len(s.NetworkACLs) == 0 {
			e.Pass("", "no security group or network ACL in %s", e.Region)
			return
		}
		for i := range s.SecurityGroups {
			g := &s.SecurityGroups[i]
			arn := ec2ARN(e, "security-group", g.ID)
			if open := openAdminRules(g); len(open) > 0 {
				e.Fail(arn, "security group %s (%s) admits %s: restrict the sources", g.ID, g.Name, strings.Join(open, "; "))
				continue
			}
			e.Pass(arn, "security group %s (%s) opens no administration port to the internet", g.ID, g.Name)
		}
		for i := range s.NetworkACLs {
			acl := &s.NetworkACLs[i]
			arn := ec2ARN(e, "network-acl", acl.ID)
			open := openAdminACLEntries(acl)
			switch {
			case len(open) == 0:
				e.Pass(arn, "network ACL %s denies SSH and RDP from the internet", acl.ID)
			case len(acl.Subnets) == 0:
				e.Pass(arn, "network ACL %s would allow administration ports from the internet but filters no subnet", acl.ID)
			default:
				e.Fail(arn, "network ACL %s (filtering %s): %s; add a lower-numbered deny for 22 and 3389 from 0.0.0.0/0 and ::/0",
					acl.ID, plural(len(acl.Subnets), "subnet"), strings.Join(open, "; "))
			}
		}
	},
})
