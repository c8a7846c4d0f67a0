package controls

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

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
	Fix: &catalog.Fix{
		Plan: planFlowLogs,
		Ops: opsOf(roleOps, map[string]catalog.Op{
			"log-group": createLogGroup,
			"flow-log": decodedOp(func(ctx context.Context, cfg aws.Config, f flowLogSpec) error {
				return createFlowLog(ctx, ec2.NewFromConfig(cfg), f)
			}),
		}),
	},
})

// planFlowLogs gives every VPC the plan keeps and that has no working flow
// log one capturing ALL traffic to the region's CloudWatch Logs group,
// delivered through one role per account.
func planFlowLogs(p *catalog.Planner) {
	s := ec2Of(p.Eval)
	if s == nil {
		return
	}
	acct := p.Account.AccountID
	group := flowLogGroup(p.Settings)
	roleARN := iamRoleARN(p.Region, acct, flowLogRole(p.Settings))
	if p.Region == anchorRegion(p.Settings, p.Account) && flowLogRoleNeeded(p, group) {
		planServiceRole(p, acct, flowLogDeliveryRole(p, group))
	}
	vpcs := vpcsToLog(p, s)
	if len(vpcs) == 0 {
		return
	}
	deps := []string{p.At(acct, "").Ref(roleARN)}
	if !slices.ContainsFunc(s.FlowLogs, func(f snapshot.FlowLog) bool { return deliversTo(f.Destination, group) }) {
		deps = append(deps, planLogGroup(p, group))
	}
	for _, v := range vpcs {
		if f := ourFlowLog(s.FlowLogs, v.ID, group); f != nil {
			p.Here().Block(ec2ARN(p.Eval, "vpc", v.ID), "VPC %s: flow log %s to %s is %s, delivery %s: repair or delete it, then plan again",
				v.ID, f.ID, group, f.Status, strings.ToLower(f.DeliverStatus))
			continue
		}
		p.Here().Create("flow-log", "flow-log/"+v.ID, flowLogSpec{VPCID: v.ID, TrafficType: "ALL", LogGroup: group, RoleARN: roleARN}, deps...)
	}
}

// flowLogRoleNeeded reports whether some region of the account gets a flow
// log and the delivery role is not known to exist: a flow log already
// delivering to the baseline's group proves it does.
func flowLogRoleNeeded(p *catalog.Planner, group string) bool {
	needed := false
	for _, region := range assessedRegions(p.Account) {
		s := p.Account.Regions[region].EC2
		if s == nil {
			continue
		}
		for _, f := range s.FlowLogs {
			if deliversTo(f.Destination, group) {
				return false
			}
		}
		for _, v := range s.VPCs {
			if good, _ := vpcFlowLog(s.FlowLogs, v.ID); good == nil && !deletedByPlan(p, region, s, v) {
				needed = true
			}
		}
	}
	return needed
}

// ourFlowLog returns the VPC's flow log to the baseline's group, if any.
func ourFlowLog(logs []snapshot.FlowLog, vpc, group string) *snapshot.FlowLog {
	for i, f := range logs {
		if f.ResourceID == vpc && deliversTo(f.Destination, group) {
			return &logs[i]
		}
	}
	return nil
}

// deliversTo reports whether a flow log destination (a group name, or its
// ARN as AWS reports it) is the log group.
func deliversTo(dest, group string) bool {
	return dest == group || strings.HasSuffix(strings.TrimSuffix(dest, ":*"), ":log-group:"+group)
}

// flowLogDeliveryRole lets VPC flow logs of this account, and only them,
// write to the flow-log group of any region.
func flowLogDeliveryRole(p *catalog.Planner, group string) roleSpec {
	acct := p.Account.AccountID
	arn := fmt.Sprintf("arn:%s:logs:*:%s:log-group:%s", partitionOf(p.Region), acct, group)
	return roleSpec{Name: flowLogRole(p.Settings), Service: "vpc-flow-logs.amazonaws.com", SourceAccount: acct,
		Inline: []iamStatement{{Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups",
			"logs:DescribeLogStreams"}, Resource: []string{arn, arn + ":*"}}}}
}

// flowLogSpec is a VPC flow log to CloudWatch Logs.
type flowLogSpec struct {
	VPCID       string `json:"vpc_id"`
	TrafficType string `json:"traffic_type"`
	LogGroup    string `json:"log_group"`
	RoleARN     string `json:"role_arn"`
}

type flowLogWriter interface {
	DescribeFlowLogs(context.Context, *ec2.DescribeFlowLogsInput, ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error)
	CreateFlowLogs(context.Context, *ec2.CreateFlowLogsInput, ...func(*ec2.Options)) (*ec2.CreateFlowLogsOutput, error)
}

// createFlowLog creates the flow log unless the VPC already has one to the
// group (flow logs have no name: the lookup is what makes a re-run safe).
func createFlowLog(ctx context.Context, api flowLogWriter, f flowLogSpec) error {
	out, err := api.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{f.VPCID}}}})
	if err != nil {
		return err
	}
	for _, x := range out.FlowLogs {
		if deliversTo(aws.ToString(x.LogGroupName), f.LogGroup) || deliversTo(aws.ToString(x.LogDestination), f.LogGroup) {
			return nil
		}
	}
	res, err := api.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{
		ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: []string{f.VPCID}, TrafficType: ec2types.TrafficType(f.TrafficType),
		LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String(f.LogGroup),
		DeliverLogsPermissionArn: aws.String(f.RoleARN), TagSpecifications: ec2TagSpec(ec2types.ResourceTypeVpcFlowLog)})
	switch {
	case hasCode(err, "FlowLogAlreadyExists"):
		return nil
	case err != nil:
		return err
	case len(res.Unsuccessful) > 0 && res.Unsuccessful[0].Error != nil:
		// Mostly a delivery role too new to be assumed yet.
		e := res.Unsuccessful[0].Error
		return catalog.Retryable(fmt.Errorf("flow log of %s: %s: %s", f.VPCID, aws.ToString(e.Code), aws.ToString(e.Message)))
	}
	return nil
}

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
