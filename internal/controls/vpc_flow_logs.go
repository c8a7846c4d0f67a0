package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "vpc.flow-logs",
	Title:    "Every VPC has flow logs",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"4.7"},
	Rationale: "Flow logs are the only record of who talked to what inside a VPC: without them an intrusion, a scan " +
		"or data leaving through an unexpected path leaves no network trace. Rejected traffic at least must be " +
		"captured, since it shows probing and misconfigured security groups.",
	Steps: "Console: VPC > Your VPCs > select the VPC > Flow logs > Create flow log, filter All, destination an S3 " +
		"bucket in the log-archive account (or CloudWatch Logs).\n" +
		"CLI: aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc-id> --traffic-type ALL " +
		"--log-destination-type s3 --log-destination arn:aws:s3:::<log-archive-bucket>/vpc-flow-logs/",
	Reads: []string{"ec2:DescribeVpcs", "ec2:DescribeFlowLogs"},
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
			good, problems := vpcFlowLog(s.FlowLogs, v.ID)
			switch {
			case good != nil:
				e.Pass(arn, "VPC %s: flow log %s captures %s traffic to %s", v.ID, good.ID, good.TrafficType, good.Destination)
			case len(problems) > 0:
				e.Fail(arn, "VPC %s has no working flow log: %s", v.ID, strings.Join(problems, "; "))
			default:
				e.Fail(arn, "VPC %s has no flow log: create one capturing ALL traffic", v.ID)
			}
		}
	},
})

// vpcFlowLog returns a working flow log of the VPC, else what is wrong with
// each of its flow logs.
func vpcFlowLog(logs []snapshot.FlowLog, vpc string) (*snapshot.FlowLog, []string) {
	var problems []string
	for i, f := range logs {
		switch {
		case f.ResourceID != vpc:
		case !strings.EqualFold(f.Status, "ACTIVE"):
			problems = append(problems, "flow log "+f.ID+" is "+f.Status)
		case f.TrafficType == "ACCEPT":
			problems = append(problems, "flow log "+f.ID+" captures accepted traffic only, so probes and blocked connections go unrecorded")
		case strings.EqualFold(f.DeliverStatus, "FAILED"):
			problems = append(problems, "flow log "+f.ID+" fails to deliver to "+f.Destination)
		default:
			return &logs[i], nil
		}
	}
	return nil, problems
}
