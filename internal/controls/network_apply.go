package controls

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The fix code the VPC controls share: which default VPCs a plan deletes
// (the others leave them alone), the log groups their logs go to, and the
// account-level prerequisites planned once per account.

// defaultVPCReads are the listings that must be complete before a default
// VPC may be deleted: a failed one could hide what the VPC still holds.
var defaultVPCReads = []string{"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeInternetGateways",
	"ec2:DescribeSecurityGroups", "ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls", "ec2:DescribeVpcEndpoints",
	"ec2:DescribeVpcPeeringConnections", "ec2:DescribeTransitGatewayAttachments"}

// defaultVPCKeeps says why apply must not delete default VPC v of account
// in region, "" when it may: network interfaces first (something runs
// there), then anything besides the parts AWS made with it (subnets,
// internet gateway, default security group, main route table, default
// network ACL).
func defaultVPCKeeps(snap *snapshot.Snapshot, account, region string, s *snapshot.EC2, v snapshot.VPC) string {
	var enis []string
	for _, n := range s.NetworkInterfaces {
		if n.VPCID == v.ID {
			enis = append(enis, n.ID)
		}
	}
	if len(enis) > 0 {
		return fmt.Sprintf("default VPC %s holds %s (%s): not deleted", v.ID, plural(len(enis), "network interface"), strings.Join(enis, ", "))
	}
	for _, read := range defaultVPCReads {
		if err := failedReadIn(snap, account, region, read, ""); err != nil {
			return fmt.Sprintf("default VPC %s: not deleted, what it holds is unknown: %s", v.ID, catalog.DescribeReadError(err))
		}
	}
	var held []string
	for _, g := range s.SecurityGroups {
		if g.VPCID == v.ID && g.Name != "default" {
			held = append(held, "security group "+g.ID)
		}
	}
	for _, rt := range s.RouteTables {
		if rt.VPCID == v.ID && !rt.Main {
			held = append(held, "route table "+rt.ID)
		}
	}
	for _, a := range s.NetworkACLs {
		if a.VPCID == v.ID && !a.IsDefault {
			held = append(held, "network ACL "+a.ID)
		}
	}
	for _, ep := range s.Endpoints {
		if ep.VPCID == v.ID {
			held = append(held, "endpoint "+ep.ID)
		}
	}
	for _, pc := range s.PeeringConns {
		if (pc.RequesterVPC == v.ID || pc.AccepterVPC == v.ID) && pc.Status != "deleted" && pc.Status != "rejected" {
			held = append(held, "peering connection "+pc.ID)
		}
	}
	for _, a := range s.TGWAttachments {
		if a.ResourceID == v.ID && a.State != "deleted" {
			held = append(held, "transit gateway attachment "+a.ID)
		}
	}
	if len(held) > 0 {
		return fmt.Sprintf("default VPC %s holds %s, which only their owner should remove: not deleted", v.ID, strings.Join(held, ", "))
	}
	return ""
}

// deletedByPlan reports whether the plan deletes VPC v (vpc.no-default-vpc
// takes part and v is an empty default VPC): its logs and default security
// group go with it, so the other controls plan nothing for it.
func deletedByPlan(p *catalog.Planner, region string, s *snapshot.EC2, v snapshot.VPC) bool {
	return v.IsDefault && p.Enabled("vpc.no-default-vpc") && defaultVPCKeeps(p.Snap, p.Account.AccountID, region, s, v) == ""
}

// vpcsToLog are the VPCs of the region whose findings fail and that the plan
// keeps, in snapshot order.
func vpcsToLog(p *catalog.Planner, s *snapshot.EC2) []snapshot.VPC {
	failing := map[string]bool{}
	for _, f := range failures(p) {
		failing[f.Resource] = true
	}
	var out []snapshot.VPC
	for _, v := range s.VPCs {
		if failing[ec2ARN(p.Eval, "vpc", v.ID)] && !deletedByPlan(p, p.Region, s, v) {
			out = append(out, v)
		}
	}
	return out
}

// anchorRegion is where the plan records an account's global changes (an
// IAM role every region needs) so that they are planned once: the home
// region when the account was assessed there, else its first region.
func anchorRegion(s *catalog.Settings, a *snapshot.Account) string {
	if _, ok := a.Regions[s.HomeRegion]; ok {
		return s.HomeRegion
	}
	if regions := assessedRegions(a); len(regions) > 0 {
		return regions[0]
	}
	return ""
}

// logGroup is a CloudWatch Logs group apply creates for a region's logs.
type logGroup struct {
	Name          string            `json:"name"`
	RetentionDays int32             `json:"retention_days"`
	Tags          map[string]string `json:"tags"`
}

// logGroupARN is the resource of a log group change.
func logGroupARN(region, account, name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partitionOf(region), region, account, name)
}

// newLogGroup is log group name kept as long as the settings say logs are
// (rounded up to a retention CloudWatch Logs offers).
func newLogGroup(s *catalog.Settings, name string) logGroup {
	return logGroup{Name: name, RetentionDays: logRetention(s.LogRetentionDays), Tags: catalog.ManagedTags(nil)}
}

// planLogGroup records the creation of log group name here and returns the
// reference its users depend on.
func planLogGroup(p *catalog.Planner, name string) string {
	arn := logGroupARN(p.Region, p.Account.AccountID, name)
	p.Here().Create("log-group", arn, newLogGroup(p.Settings, name))
	return p.Here().Ref(arn)
}

type logGroupWriter interface {
	logRetentionWriter
	CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
}

// createLogGroup is the op of a logGroup change; a group that exists is
// adopted and given the retention.
var createLogGroup = decodedOp(func(ctx context.Context, cfg aws.Config, g logGroup) error {
	return ensureLogGroup(ctx, cloudwatchlogs.NewFromConfig(cfg), g)
})

func ensureLogGroup(ctx context.Context, api logGroupWriter, g logGroup) error {
	_, err := api.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g.Name), Tags: g.Tags})
	if err != nil && !hasCode(err, "ResourceAlreadyExistsException") {
		return err
	}
	if g.RetentionDays == 0 {
		return nil
	}
	return putLogRetention(ctx, api, logRetentionChange{Group: g.Name, Days: g.RetentionDays})
}

// ec2TagSpec tags what apply creates in EC2.
func ec2TagSpec(kind ec2types.ResourceType) []ec2types.TagSpecification {
	return []ec2types.TagSpecification{{ResourceType: kind,
		Tags: managedTagList(func(k, v *string) ec2types.Tag { return ec2types.Tag{Key: k, Value: v} })}}
}

type eniLister interface {
	DescribeNetworkInterfaces(context.Context, *ec2.DescribeNetworkInterfacesInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
}

// refuseIfInUse is the safety of every default-VPC deletion: it looks again,
// at apply time, for network interfaces in the VPC and refuses when one
// appeared since the plan (an instance launched meanwhile).
func refuseIfInUse(ctx context.Context, api eniLister, vpc string) error {
	out, err := api.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	if err != nil {
		return err
	}
	if n := len(out.NetworkInterfaces); n > 0 {
		return fmt.Errorf("refusing to delete default VPC %s: it now holds %s (%s); plan again",
			vpc, plural(n, "network interface"), aws.ToString(out.NetworkInterfaces[0].NetworkInterfaceId))
	}
	return nil
}
