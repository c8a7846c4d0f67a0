package controls

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

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
	Fix: &catalog.Fix{
		Plan: planDefaultVPCDeletion,
		Ops: map[string]catalog.Op{
			"delete-subnet":           defaultVPCOp(deleteSubnet),
			"delete-internet-gateway": defaultVPCOp(deleteInternetGateway),
			"delete-vpc":              defaultVPCOp(deleteVPC),
		},
	},
})

// vpcPart is a default VPC, or a subnet or internet gateway deleted before it.
type vpcPart struct {
	VPCID string `json:"vpc_id"`
	ID    string `json:"id"`
	CIDR  string `json:"cidr,omitempty"`
}

// planDefaultVPCDeletion deletes every default VPC that holds nothing: its
// subnets and internet gateway first, then the VPC. One that holds network
// interfaces, or anything else someone made in it, is blocked with the reason.
func planDefaultVPCDeletion(p *catalog.Planner) {
	s := ec2Of(p.Eval)
	if s == nil {
		return
	}
	here := p.Here()
	for _, v := range s.VPCs {
		if !v.IsDefault {
			continue
		}
		vpc := ec2ARN(p.Eval, "vpc", v.ID)
		if why := defaultVPCKeeps(p.Snap, p.Account.AccountID, p.Region, s, v); why != "" {
			here.Block(vpc, "%s", why)
			continue
		}
		var parts []string
		for _, n := range s.Subnets {
			if n.VPCID == v.ID {
				arn := ec2ARN(p.Eval, "subnet", n.ID)
				here.Delete("delete-subnet", arn, vpcPart{VPCID: v.ID, ID: n.ID, CIDR: n.CIDR})
				parts = append(parts, here.Ref(arn))
			}
		}
		for _, g := range s.InternetGateways {
			if slices.Contains(g.VPCs, v.ID) {
				arn := ec2ARN(p.Eval, "internet-gateway", g.ID)
				here.Delete("delete-internet-gateway", arn, vpcPart{VPCID: v.ID, ID: g.ID})
				parts = append(parts, here.Ref(arn))
			}
		}
		here.Delete("delete-vpc", vpc, vpcPart{VPCID: v.ID, ID: v.ID, CIDR: v.CIDR}, parts...)
	}
}

type defaultVPCDeleter interface {
	eniLister
	DeleteSubnet(context.Context, *ec2.DeleteSubnetInput, ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error)
	DetachInternetGateway(context.Context, *ec2.DetachInternetGatewayInput, ...func(*ec2.Options)) (*ec2.DetachInternetGatewayOutput, error)
	DeleteInternetGateway(context.Context, *ec2.DeleteInternetGatewayInput, ...func(*ec2.Options)) (*ec2.DeleteInternetGatewayOutput, error)
	DeleteVpc(context.Context, *ec2.DeleteVpcInput, ...func(*ec2.Options)) (*ec2.DeleteVpcOutput, error)
}

// defaultVPCOp makes the op of one deletion step: each step first checks
// again that the VPC holds no network interface, and what is already gone
// counts as deleted (a re-run after a crash).
func defaultVPCOp(step func(context.Context, defaultVPCDeleter, vpcPart) error) catalog.Op {
	return func(ctx context.Context, cfg aws.Config, ch *catalog.Change) error {
		part, err := catalog.Decode[vpcPart](ch.Before)
		if err != nil {
			return err
		}
		return deleteDefaultVPCPart(ctx, ec2.NewFromConfig(cfg), part, step)
	}
}

func deleteDefaultVPCPart(ctx context.Context, api defaultVPCDeleter, part vpcPart, step func(context.Context, defaultVPCDeleter, vpcPart) error) error {
	if err := refuseIfInUse(ctx, api, part.VPCID); err != nil {
		return err
	}
	return step(ctx, api, part)
}

func deleteSubnet(ctx context.Context, api defaultVPCDeleter, part vpcPart) error {
	_, err := api.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(part.ID)})
	if hasCode(err, "InvalidSubnetID.NotFound") {
		return nil
	}
	return err
}

func deleteInternetGateway(ctx context.Context, api defaultVPCDeleter, part vpcPart) error {
	_, err := api.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(part.ID), VpcId: aws.String(part.VPCID)})
	if err != nil && !hasCode(err, "Gateway.NotAttached", "InvalidInternetGatewayID.NotFound") {
		return err
	}
	_, err = api.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(part.ID)})
	if hasCode(err, "InvalidInternetGatewayID.NotFound") {
		return nil
	}
	return err
}

func deleteVPC(ctx context.Context, api defaultVPCDeleter, part vpcPart) error {
	_, err := api.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(part.ID)})
	switch {
	case hasCode(err, "InvalidVpcID.NotFound"):
		return nil
	case hasCode(err, "DependencyViolation"):
		// The subnets and gateway just deleted can take a moment to go.
		return catalog.Retryable(err)
	}
	return err
}
