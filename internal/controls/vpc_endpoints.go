package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// endpointServices are the services whose traffic should stay inside the VPC.
var endpointServices = []string{"s3", "dynamodb"}

var _ = catalog.Register(&catalog.Control{
	ID:       "vpc.endpoints",
	Title:    "VPCs with private subnets have S3 and DynamoDB endpoints",
	Stage:    "M9",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Low,
	CIS:      []string{"6.8"},
	Rationale: "Without endpoints, private subnets reach S3 and DynamoDB through a NAT gateway and the internet. " +
		"Gateway endpoints keep that traffic on AWS's network, cost nothing, and let bucket and table policies " +
		"require aws:SourceVpce so data can only be read from inside your network.",
	Steps: "Create gateway endpoints for S3 and DynamoDB and attach them to the private subnets' route tables.\n" +
		"Console: VPC > Endpoints > Create endpoint > AWS services > com.amazonaws.<region>.s3 (Gateway) > select the route tables.\n" +
		"CLI: aws ec2 create-vpc-endpoint --vpc-id <vpc-id> --vpc-endpoint-type Gateway " +
		"--service-name com.amazonaws.<region>.s3 --route-table-ids <rtb-id> ...\n" +
		"     aws ec2 create-vpc-endpoint --vpc-id <vpc-id> --vpc-endpoint-type Gateway " +
		"--service-name com.amazonaws.<region>.dynamodb --route-table-ids <rtb-id> ...",
	Reads: []string{"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeVpcEndpoints"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		if len(s.VPCs) == 0 {
			e.Pass("", "no VPC in %s", e.Region)
			return
		}
		for _, v := range s.VPCs {
			arn := ec2ARN(e, "vpc", v.ID)
			private := 0
			for _, n := range s.Subnets {
				if n.VPCID == v.ID && !isPublicSubnet(s, n) {
					private++
				}
			}
			if private == 0 {
				e.Pass(arn, "VPC %s has no private subnet", v.ID)
				continue
			}
			var have, missing []string
			for _, svc := range endpointServices {
				if ep := vpcEndpointFor(s, v.ID, svc); ep != nil {
					have = append(have, fmt.Sprintf("%s (%s %s)", svc, strings.ToLower(ep.Type), ep.ID))
				} else {
					missing = append(missing, svc)
				}
			}
			if len(missing) > 0 {
				e.Fail(arn, "VPC %s has %s but no available %s endpoint: their traffic to %s goes through the internet; create gateway endpoints",
					v.ID, plural(private, "private subnet"), strings.Join(missing, " or "), strings.Join(missing, " and "))
				continue
			}
			e.Pass(arn, "VPC %s has endpoints for %s", v.ID, strings.Join(have, " and "))
		}
	},
})

// vpcEndpointFor returns an available endpoint of the VPC for an AWS
// service ("s3" matches com.amazonaws.<region>.s3), or nil.
func vpcEndpointFor(s *snapshot.EC2, vpc, service string) *snapshot.VPCEndpoint {
	for i, ep := range s.Endpoints {
		if ep.VPCID == vpc && strings.HasSuffix(ep.ServiceName, "."+service) && strings.EqualFold(ep.State, "available") {
			return &s.Endpoints[i]
		}
	}
	return nil
}
