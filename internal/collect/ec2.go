package collect

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "ec2", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectEC2(ctx, t, ec2.NewFromConfig(t.Config))
	}})
}

// ec2API is the read-only part of EC2 the VPC and instance checks need.
type ec2API interface {
	DescribeVpcs(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeSubnets(context.Context, *ec2.DescribeSubnetsInput, ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
	DescribeSecurityGroups(context.Context, *ec2.DescribeSecurityGroupsInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DescribeNetworkAcls(context.Context, *ec2.DescribeNetworkAclsInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkAclsOutput, error)
	DescribeRouteTables(context.Context, *ec2.DescribeRouteTablesInput, ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error)
	DescribeInternetGateways(context.Context, *ec2.DescribeInternetGatewaysInput, ...func(*ec2.Options)) (*ec2.DescribeInternetGatewaysOutput, error)
	DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeImages(context.Context, *ec2.DescribeImagesInput, ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
	DescribeNetworkInterfaces(context.Context, *ec2.DescribeNetworkInterfacesInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
	DescribeFlowLogs(context.Context, *ec2.DescribeFlowLogsInput, ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error)
	DescribeVpcEndpoints(context.Context, *ec2.DescribeVpcEndpointsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error)
	DescribeVpcPeeringConnections(context.Context, *ec2.DescribeVpcPeeringConnectionsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcPeeringConnectionsOutput, error)
	DescribeTransitGatewayAttachments(context.Context, *ec2.DescribeTransitGatewayAttachmentsInput, ...func(*ec2.Options)) (*ec2.DescribeTransitGatewayAttachmentsOutput, error)
	GetEbsEncryptionByDefault(context.Context, *ec2.GetEbsEncryptionByDefaultInput, ...func(*ec2.Options)) (*ec2.GetEbsEncryptionByDefaultOutput, error)
	GetEbsDefaultKmsKeyId(context.Context, *ec2.GetEbsDefaultKmsKeyIdInput, ...func(*ec2.Options)) (*ec2.GetEbsDefaultKmsKeyIdOutput, error)
}

// pager is what every SDK paginator offers.
type pager[O, Opt any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*Opt)) (O, error)
}

// pages hands every page of p to each and returns the first error. Callers
// keep what each gathered only when pages returns nil: half a listing would
// read as "these are all the resources".
func pages[O, Opt any](ctx context.Context, p pager[O, Opt], each func(O)) error {
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		each(page)
	}
	return nil
}

// imageFilterMax is the most values one DescribeImages filter accepts.
const imageFilterMax = 200

// collectEC2 reads a region's network and instances: one paginated listing
// per resource type, all in parallel; only the AMIs (which depend on the
// instances) and the default EBS key (only when encryption is on) follow.
func collectEC2(ctx context.Context, t *Task, api ec2API) {
	s := &snapshot.EC2{}
	reads := []func(context.Context){
		func(ctx context.Context) {
			var out []snapshot.VPC
			err := pages(ctx, ec2.NewDescribeVpcsPaginator(api, &ec2.DescribeVpcsInput{}), func(p *ec2.DescribeVpcsOutput) {
				for _, v := range p.Vpcs {
					out = append(out, snapshot.VPC{ID: aws.ToString(v.VpcId), CIDR: aws.ToString(v.CidrBlock),
						IsDefault: aws.ToBool(v.IsDefault), Tags: ec2Tags(v.Tags)})
				}
			})
			if !t.Failed("DescribeVpcs", err) {
				s.VPCs = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.Subnet
			err := pages(ctx, ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{}), func(p *ec2.DescribeSubnetsOutput) {
				for _, n := range p.Subnets {
					out = append(out, snapshot.Subnet{ID: aws.ToString(n.SubnetId), VPCID: aws.ToString(n.VpcId), CIDR: aws.ToString(n.CidrBlock),
						DefaultForAZ: aws.ToBool(n.DefaultForAz), MapPublicIPOnLaunch: aws.ToBool(n.MapPublicIpOnLaunch)})
				}
			})
			if !t.Failed("DescribeSubnets", err) {
				s.Subnets = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.SecurityGroup
			err := pages(ctx, ec2.NewDescribeSecurityGroupsPaginator(api, &ec2.DescribeSecurityGroupsInput{}), func(p *ec2.DescribeSecurityGroupsOutput) {
				for _, g := range p.SecurityGroups {
					out = append(out, snapshot.SecurityGroup{ID: aws.ToString(g.GroupId), Name: aws.ToString(g.GroupName), VPCID: aws.ToString(g.VpcId),
						Ingress: sgRules(g.IpPermissions), Egress: sgRules(g.IpPermissionsEgress)})
				}
			})
			if !t.Failed("DescribeSecurityGroups", err) {
				s.SecurityGroups = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.NetworkACL
			err := pages(ctx, ec2.NewDescribeNetworkAclsPaginator(api, &ec2.DescribeNetworkAclsInput{}), func(p *ec2.DescribeNetworkAclsOutput) {
				for _, a := range p.NetworkAcls {
					out = append(out, networkACL(a))
				}
			})
			if !t.Failed("DescribeNetworkAcls", err) {
				s.NetworkACLs = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.RouteTable
			err := pages(ctx, ec2.NewDescribeRouteTablesPaginator(api, &ec2.DescribeRouteTablesInput{}), func(p *ec2.DescribeRouteTablesOutput) {
				for _, rt := range p.RouteTables {
					out = append(out, routeTable(rt))
				}
			})
			if !t.Failed("DescribeRouteTables", err) {
				s.RouteTables = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.InternetGateway
			err := pages(ctx, ec2.NewDescribeInternetGatewaysPaginator(api, &ec2.DescribeInternetGatewaysInput{}), func(p *ec2.DescribeInternetGatewaysOutput) {
				for _, g := range p.InternetGateways {
					igw := snapshot.InternetGateway{ID: aws.ToString(g.InternetGatewayId)}
					for _, a := range g.Attachments {
						igw.VPCs = append(igw.VPCs, aws.ToString(a.VpcId))
					}
					out = append(out, igw)
				}
			})
			if !t.Failed("DescribeInternetGateways", err) {
				s.InternetGateways = out
			}
		},
		func(ctx context.Context) { readInstances(ctx, t, api, s) },
		func(ctx context.Context) {
			var out []snapshot.ENI
			err := pages(ctx, ec2.NewDescribeNetworkInterfacesPaginator(api, &ec2.DescribeNetworkInterfacesInput{}), func(p *ec2.DescribeNetworkInterfacesOutput) {
				for _, n := range p.NetworkInterfaces {
					out = append(out, snapshot.ENI{ID: aws.ToString(n.NetworkInterfaceId), VPCID: aws.ToString(n.VpcId),
						Type: string(n.InterfaceType), Description: aws.ToString(n.Description)})
				}
			})
			if !t.Failed("DescribeNetworkInterfaces", err) {
				s.NetworkInterfaces = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.FlowLog
			err := pages(ctx, ec2.NewDescribeFlowLogsPaginator(api, &ec2.DescribeFlowLogsInput{}), func(p *ec2.DescribeFlowLogsOutput) {
				for _, f := range p.FlowLogs {
					dest := aws.ToString(f.LogDestination)
					if dest == "" {
						dest = aws.ToString(f.LogGroupName)
					}
					out = append(out, snapshot.FlowLog{ID: aws.ToString(f.FlowLogId), ResourceID: aws.ToString(f.ResourceId),
						Status: aws.ToString(f.FlowLogStatus), Destination: dest, TrafficType: string(f.TrafficType),
						DeliverStatus: aws.ToString(f.DeliverLogsStatus)})
				}
			})
			if !t.Failed("DescribeFlowLogs", err) {
				s.FlowLogs = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.VPCEndpoint
			err := pages(ctx, ec2.NewDescribeVpcEndpointsPaginator(api, &ec2.DescribeVpcEndpointsInput{}), func(p *ec2.DescribeVpcEndpointsOutput) {
				for _, e := range p.VpcEndpoints {
					out = append(out, snapshot.VPCEndpoint{ID: aws.ToString(e.VpcEndpointId), VPCID: aws.ToString(e.VpcId),
						ServiceName: aws.ToString(e.ServiceName), Type: string(e.VpcEndpointType), State: string(e.State)})
				}
			})
			if !t.Failed("DescribeVpcEndpoints", err) {
				s.Endpoints = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.Peering
			err := pages(ctx, ec2.NewDescribeVpcPeeringConnectionsPaginator(api, &ec2.DescribeVpcPeeringConnectionsInput{}), func(p *ec2.DescribeVpcPeeringConnectionsOutput) {
				for _, c := range p.VpcPeeringConnections {
					pc := snapshot.Peering{ID: aws.ToString(c.VpcPeeringConnectionId)}
					if r := c.RequesterVpcInfo; r != nil {
						pc.RequesterAccount, pc.RequesterVPC = aws.ToString(r.OwnerId), aws.ToString(r.VpcId)
					}
					if a := c.AccepterVpcInfo; a != nil {
						pc.AccepterAccount, pc.AccepterVPC = aws.ToString(a.OwnerId), aws.ToString(a.VpcId)
					}
					if c.Status != nil {
						pc.Status = string(c.Status.Code)
					}
					out = append(out, pc)
				}
			})
			if !t.Failed("DescribeVpcPeeringConnections", err) {
				s.PeeringConns = out
			}
		},
		func(ctx context.Context) {
			var out []snapshot.TGWAttachment
			err := pages(ctx, ec2.NewDescribeTransitGatewayAttachmentsPaginator(api, &ec2.DescribeTransitGatewayAttachmentsInput{}), func(p *ec2.DescribeTransitGatewayAttachmentsOutput) {
				for _, a := range p.TransitGatewayAttachments {
					out = append(out, snapshot.TGWAttachment{ID: aws.ToString(a.TransitGatewayAttachmentId), TGWID: aws.ToString(a.TransitGatewayId),
						TGWOwner: aws.ToString(a.TransitGatewayOwnerId), ResourceOwner: aws.ToString(a.ResourceOwnerId),
						ResourceID: aws.ToString(a.ResourceId), ResourceType: string(a.ResourceType), State: string(a.State)})
				}
			})
			if !t.Failed("DescribeTransitGatewayAttachments", err) {
				s.TGWAttachments = out
			}
		},
		func(ctx context.Context) {
			out, err := api.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
			if t.Failed("GetEbsEncryptionByDefault", err) {
				return
			}
			s.EBSEncryptionByDefault = aws.ToBool(out.EbsEncryptionByDefault)
			// The default key only matters once encryption by default is on.
			if s.EBSEncryptionByDefault {
				key, err := api.GetEbsDefaultKmsKeyId(ctx, &ec2.GetEbsDefaultKmsKeyIdInput{})
				if !t.Failed("GetEbsDefaultKmsKeyId", err) {
					s.EBSDefaultKMSKey = aws.ToString(key.KmsKeyId)
				}
			}
		},
	}
	t.Fan(ctx, len(reads), func(ctx context.Context, i int) { reads[i](ctx) })
	t.Account.Regions[t.Region].EC2 = s
}

// liveInstanceStates leaves out terminated instances, which linger in
// DescribeInstances for an hour but no longer exist.
var liveInstanceStates = []string{"pending", "running", "stopping", "stopped"}

// readInstances lists the instances, then describes the AMIs they run.
func readInstances(ctx context.Context, t *Task, api ec2API, s *snapshot.EC2) {
	var out []snapshot.Instance
	in := &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: liveInstanceStates}}}
	err := pages(ctx, ec2.NewDescribeInstancesPaginator(api, in), func(p *ec2.DescribeInstancesOutput) {
		for _, r := range p.Reservations {
			for _, i := range r.Instances {
				out = append(out, instance(i))
			}
		}
	})
	if t.Failed("DescribeInstances", err) {
		return
	}
	s.Instances = out

	var ids []string
	for _, i := range out {
		if i.ImageID != "" && !slices.Contains(ids, i.ImageID) {
			ids = append(ids, i.ImageID)
		}
	}
	images := map[string]snapshot.Image{}
	for chunk := range slices.Chunk(ids, imageFilterMax) {
		// A filter, unlike ImageIds, answers for the images that still exist
		// instead of failing the whole call on the first one that does not.
		in := &ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("image-id"), Values: chunk}},
			IncludeDeprecated: aws.Bool(true), IncludeDisabled: aws.Bool(true)}
		err := pages(ctx, ec2.NewDescribeImagesPaginator(api, in), func(p *ec2.DescribeImagesOutput) {
			for _, im := range p.Images {
				images[aws.ToString(im.ImageId)] = snapshot.Image{OwnerID: aws.ToString(im.OwnerId),
					OwnerAlias: aws.ToString(im.ImageOwnerAlias), Name: aws.ToString(im.Name)}
			}
		})
		if t.Failed("DescribeImages", err) {
			return
		}
	}
	if len(images) > 0 {
		s.Images = images
	}
}

func instance(i ec2types.Instance) snapshot.Instance {
	out := snapshot.Instance{ID: aws.ToString(i.InstanceId), ImageID: aws.ToString(i.ImageId), VPCID: aws.ToString(i.VpcId),
		SubnetID: aws.ToString(i.SubnetId), PublicIP: aws.ToString(i.PublicIpAddress), Tags: ec2Tags(i.Tags)}
	if i.State != nil {
		out.State = string(i.State.Name)
	}
	if m := i.MetadataOptions; m != nil {
		out.HTTPTokens, out.HTTPEndpoint = string(m.HttpTokens), string(m.HttpEndpoint)
	}
	addGroup := func(id string) {
		if id != "" && !slices.Contains(out.SecurityGroups, id) {
			out.SecurityGroups = append(out.SecurityGroups, id)
		}
	}
	for _, g := range i.SecurityGroups {
		addGroup(aws.ToString(g.GroupId))
	}
	// Secondary interfaces carry their own groups and public addresses.
	for _, n := range i.NetworkInterfaces {
		for _, g := range n.Groups {
			addGroup(aws.ToString(g.GroupId))
		}
		if out.PublicIP == "" && n.Association != nil {
			out.PublicIP = aws.ToString(n.Association.PublicIp)
		}
	}
	return out
}

// sgRules flattens permissions to one rule per peer (CIDR, group or prefix list).
func sgRules(perms []ec2types.IpPermission) []snapshot.SGRule {
	var out []snapshot.SGRule
	for _, p := range perms {
		r := snapshot.SGRule{Protocol: aws.ToString(p.IpProtocol), FromPort: portOr(p.FromPort), ToPort: portOr(p.ToPort)}
		add := func(src *string) {
			r.Source = aws.ToString(src)
			out = append(out, r)
		}
		for _, x := range p.IpRanges {
			add(x.CidrIp)
		}
		for _, x := range p.Ipv6Ranges {
			add(x.CidrIpv6)
		}
		for _, x := range p.UserIdGroupPairs {
			add(x.GroupId)
		}
		for _, x := range p.PrefixListIds {
			add(x.PrefixListId)
		}
	}
	return out
}

func networkACL(a ec2types.NetworkAcl) snapshot.NetworkACL {
	out := snapshot.NetworkACL{ID: aws.ToString(a.NetworkAclId), VPCID: aws.ToString(a.VpcId), IsDefault: aws.ToBool(a.IsDefault)}
	for _, e := range a.Entries {
		ent := snapshot.ACLEntry{RuleNumber: aws.ToInt32(e.RuleNumber), Egress: aws.ToBool(e.Egress), Protocol: aws.ToString(e.Protocol),
			Action: string(e.RuleAction), CIDR: firstSet(e.CidrBlock, e.Ipv6CidrBlock), FromPort: -1, ToPort: -1}
		if e.PortRange != nil {
			ent.FromPort, ent.ToPort = portOr(e.PortRange.From), portOr(e.PortRange.To)
		}
		out.Entries = append(out.Entries, ent)
	}
	for _, as := range a.Associations {
		out.Subnets = append(out.Subnets, aws.ToString(as.SubnetId))
	}
	return out
}

func routeTable(rt ec2types.RouteTable) snapshot.RouteTable {
	out := snapshot.RouteTable{ID: aws.ToString(rt.RouteTableId), VPCID: aws.ToString(rt.VpcId)}
	for _, as := range rt.Associations {
		if aws.ToBool(as.Main) {
			out.Main = true
		}
		if as.SubnetId != nil {
			out.Subnets = append(out.Subnets, aws.ToString(as.SubnetId))
		}
	}
	for _, r := range rt.Routes {
		out.Routes = append(out.Routes, snapshot.Route{
			Destination: firstSet(r.DestinationCidrBlock, r.DestinationIpv6CidrBlock, r.DestinationPrefixListId),
			Target: firstSet(r.GatewayId, r.NatGatewayId, r.TransitGatewayId, r.VpcPeeringConnectionId, r.NetworkInterfaceId,
				r.InstanceId, r.EgressOnlyInternetGatewayId, r.LocalGatewayId, r.CarrierGatewayId, r.CoreNetworkArn),
		})
	}
	return out
}

// portOr is the port, or -1 when the protocol has none.
func portOr(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
}

func firstSet(vs ...*string) string {
	for _, v := range vs {
		if s := aws.ToString(v); s != "" {
			return s
		}
	}
	return ""
}

func ec2Tags(tags []ec2types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
