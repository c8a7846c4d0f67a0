package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "vpc.no-default-vpc",
	Title:    "No default VPC in any region",
	Stage:    "F6",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "Default VPCs give every subnet a route to the internet and every instance a public address: anything " +
		"launched without thought is exposed, in regions nobody watches. Networks should be designed, not inherited.",
	Steps: "Delete the default VPC of every region once nothing runs in it (baseline apply deletes only empty ones).\n" +
		"Console: VPC > Your VPCs > select the default VPC > Actions > Delete VPC.\n" +
		"CLI: aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=<vpc-id>   # must be empty\n" +
		"     aws ec2 delete-vpc --vpc-id <vpc-id>   # after deleting its subnets and internet gateway",
	Reads: []string{"ec2:DescribeVpcs", "ec2:DescribeNetworkInterfaces"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		found := false
		for _, v := range s.VPCs {
			if !v.IsDefault {
				continue
			}
			found = true
			enis := 0
			for _, n := range s.NetworkInterfaces {
				if n.VPCID == v.ID {
					enis++
				}
			}
			if enis == 0 {
				e.Fail(ec2ARN(e, "vpc", v.ID), "default VPC %s exists and is empty: delete it", v.ID)
			} else {
				e.Fail(ec2ARN(e, "vpc", v.ID), "default VPC %s exists and is in use by %s: "+
					"move those workloads to a purpose-built VPC, then delete it", v.ID, plural(enis, "network interface"))
			}
		}
		if !found {
			e.Pass("", "no default VPC in %s", e.Region)
		}
	},
})
