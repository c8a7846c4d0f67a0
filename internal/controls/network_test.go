package controls_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// netIDs are the network controls.
var netIDs = []string{"vpc.flow-logs", "vpc.dns-query-logs", "vpc.no-default-vpc", "vpc.default-sg-closed", "vpc.endpoints",
	"vpc.no-admin-ports-open", "ec2.imdsv2", "ec2.no-public-instances", "ec2.approved-amis", "ebs.default-encryption",
	"elb.access-logs", "waf.public-endpoints"}

// netEnv builds network fixtures through the SDK, failing the test on any
// error so that a fixture the emulator refused never passes silently.
type netEnv struct {
	t   *testing.T
	ctx context.Context
	ec2 *ec2.Client
}

func (n netEnv) ok(what string, err error) {
	n.t.Helper()
	if err != nil {
		n.t.Fatalf("%s: %v", what, err)
	}
}

func (n netEnv) vpc(cidr string) string {
	out, err := n.ec2.CreateVpc(n.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	n.ok("create VPC", err)
	return aws.ToString(out.Vpc.VpcId)
}

func (n netEnv) subnet(vpc, cidr string, public bool) string {
	out, err := n.ec2.CreateSubnet(n.ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr)})
	n.ok("create subnet", err)
	id := aws.ToString(out.Subnet.SubnetId)
	if public {
		_, err := n.ec2.ModifySubnetAttribute(n.ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id),
			MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
		n.ok("make subnet public", err)
	}
	return id
}

func (n netEnv) defaultVPC() string {
	out, err := n.ec2.DescribeVpcs(n.ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	n.ok("find default VPC", err)
	return aws.ToString(out.Vpcs[0].VpcId)
}

func (n netEnv) defaultSubnets(vpc string) []string {
	out, err := n.ec2.DescribeSubnets(n.ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	n.ok("list subnets", err)
	var ids []string
	for _, s := range out.Subnets {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	return ids
}

func (n netEnv) flowLog(vpc string, traffic ec2types.TrafficType) {
	_, err := n.ec2.CreateFlowLogs(n.ctx, &ec2.CreateFlowLogsInput{ResourceIds: []string{vpc}, ResourceType: ec2types.FlowLogsResourceTypeVpc,
		TrafficType: traffic, LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::net-flow-logs")})
	n.ok("create flow log", err)
}

func (n netEnv) endpoint(vpc, service string) {
	_, err := n.ec2.CreateVpcEndpoint(n.ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), VpcEndpointType: ec2types.VpcEndpointTypeGateway,
		ServiceName: aws.String("com.amazonaws.us-east-1." + service)})
	n.ok("create endpoint", err)
}

func (n netEnv) group(vpc, name string, perms ...ec2types.IpPermission) string {
	out, err := n.ec2.CreateSecurityGroup(n.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpc)})
	n.ok("create security group", err)
	id := aws.ToString(out.GroupId)
	if len(perms) > 0 {
		_, err = n.ec2.AuthorizeSecurityGroupIngress(n.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms})
		n.ok("authorize ingress", err)
	}
	return id
}

func tcpFrom(from, to int32, cidr string) ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(from), ToPort: aws.Int32(to)}
	if strings.Contains(cidr, ":") {
		p.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String(cidr)}}
	} else {
		p.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(cidr)}}
	}
	return p
}

func (n netEnv) defaultGroup(vpc string) ec2types.SecurityGroup {
	out, err := n.ec2.DescribeSecurityGroups(n.ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("group-name"), Values: []string{"default"}}}})
	n.ok("find default group", err)
	return out.SecurityGroups[0]
}

// acl creates a network ACL with the given inbound entries and, when subnet
// is set, puts the subnet behind it.
func (n netEnv) acl(vpc, subnet string, entries ...ec2.CreateNetworkAclEntryInput) string {
	out, err := n.ec2.CreateNetworkAcl(n.ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(vpc)})
	n.ok("create network ACL", err)
	id := out.NetworkAcl.NetworkAclId
	for _, e := range entries {
		e.NetworkAclId, e.Egress = id, aws.Bool(false)
		_, err := n.ec2.CreateNetworkAclEntry(n.ctx, &e)
		n.ok("create ACL entry", err)
	}
	if subnet != "" {
		cur, err := n.ec2.DescribeNetworkAcls(n.ctx, &ec2.DescribeNetworkAclsInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{subnet}}}})
		n.ok("find subnet's ACL", err)
		for _, a := range cur.NetworkAcls[0].Associations {
			if aws.ToString(a.SubnetId) == subnet {
				_, err := n.ec2.ReplaceNetworkAclAssociation(n.ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: a.NetworkAclAssociationId, NetworkAclId: id})
				n.ok("associate ACL", err)
			}
		}
	}
	return aws.ToString(id)
}

func aclEntry(rule int32, protocol, action string, port int32) ec2.CreateNetworkAclEntryInput {
	e := ec2.CreateNetworkAclEntryInput{RuleNumber: aws.Int32(rule), Protocol: aws.String(protocol), RuleAction: ec2types.RuleAction(action),
		CidrBlock: aws.String("0.0.0.0/0")}
	if port > 0 {
		e.PortRange = &ec2types.PortRange{From: aws.Int32(port), To: aws.Int32(port)}
	}
	return e
}

func (n netEnv) instance(image, subnet, group string, tokens ec2types.HttpTokensState, endpoint ec2types.InstanceMetadataEndpointState) string {
	in := &ec2.RunInstancesInput{ImageId: aws.String(image), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		MetadataOptions: &ec2types.InstanceMetadataOptionsRequest{HttpTokens: tokens, HttpEndpoint: endpoint}}
	if subnet != "" {
		in.SubnetId = aws.String(subnet)
	}
	if group != "" {
		in.SecurityGroupIds = []string{group}
	}
	out, err := n.ec2.RunInstances(n.ctx, in)
	n.ok("run instance", err)
	return aws.ToString(out.Instances[0].InstanceId)
}

func TestNetworkControlsMoto(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	east := netEnv{t, ctx, ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = "us-east-1" })}
	west := netEnv{t, ctx, ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = "eu-west-1" })}
	account := "123456789012"
	arn := func(kind, id string) string { return "arn:aws:ec2:us-east-1:" + account + ":" + kind + "/" + id }

	// us-east-1: the default VPC as AWS leaves it, next to a designed VPC
	// (logged, with endpoints, its default group emptied) and a VPC with a
	// private subnet but only an S3 endpoint.
	dflt := east.defaultVPC()
	vpc := east.vpc("10.0.0.0/16")
	private := east.subnet(vpc, "10.0.1.0/24", false)
	public := east.subnet(vpc, "10.0.2.0/24", true)
	half := east.vpc("10.1.0.0/16")
	east.subnet(half, "10.1.1.0/24", false)
	_, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("net-flow-logs")})
	east.ok("create flow log bucket", err)
	east.flowLog(vpc, ec2types.TrafficTypeAll)
	east.flowLog(dflt, ec2types.TrafficTypeAccept)
	east.endpoint(vpc, "s3")
	east.endpoint(vpc, "dynamodb")
	east.endpoint(half, "s3")
	dns := route53resolver.NewFromConfig(cfg, func(o *route53resolver.Options) { o.Region = "us-east-1" })
	qlc, err := dns.CreateResolverQueryLogConfig(ctx, &route53resolver.CreateResolverQueryLogConfigInput{Name: aws.String("org-dns"),
		DestinationArn: aws.String("arn:aws:s3:::net-flow-logs"), CreatorRequestId: aws.String("net-test")})
	east.ok("create query log config", err)
	_, err = dns.AssociateResolverQueryLogConfig(ctx, &route53resolver.AssociateResolverQueryLogConfigInput{
		ResolverQueryLogConfigId: qlc.ResolverQueryLogConfig.Id, ResourceId: aws.String(vpc)})
	east.ok("associate query log config", err)
	closed := east.defaultGroup(vpc)
	_, err = east.ec2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: closed.GroupId, IpPermissions: closed.IpPermissionsEgress})
	east.ok("empty default group", err)
	openDefault := aws.ToString(east.defaultGroup(dflt).GroupId)

	ssh := east.group(dflt, "ssh-from-anywhere", tcpFrom(22, 22, "0.0.0.0/0"))
	wide := east.group(vpc, "wide-v6", tcpFrom(0, 65535, "::/0"))
	web := east.group(vpc, "web", tcpFrom(443, 443, "0.0.0.0/0"))
	// SSH denied ahead of an allow-all: RDP stays open. An ACL of no subnet
	// filters nothing.
	rdpOpen := east.acl(vpc, private, aclEntry(50, "6", "deny", 22), aclEntry(100, "-1", "allow", 0))
	unused := east.acl(vpc, "", aclEntry(100, "-1", "allow", 0))
	sshOnly := east.acl(vpc, public, aclEntry(100, "6", "allow", 22), aclEntry(200, "6", "deny", 3389))

	v1 := east.instance("ami-12c6146b", "", ssh, ec2types.HttpTokensStateOptional, ec2types.InstanceMetadataEndpointStateEnabled)
	v2 := east.instance("ami-12c6146b", private, web, ec2types.HttpTokensStateRequired, ec2types.InstanceMetadataEndpointStateEnabled)
	img, err := east.ec2.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(v2), Name: aws.String("golden")})
	east.ok("create image", err)
	off := east.instance(aws.ToString(img.ImageId), private, web, ec2types.HttpTokensStateOptional, ec2types.InstanceMetadataEndpointStateDisabled)
	_, err = east.ec2.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{})
	east.ok("enable EBS encryption", err)

	// Load balancers: one internet-facing behind WAF with access logs, one
	// bare, one internal (WAF does not apply).
	lbs := elb.NewFromConfig(cfg, func(o *elb.Options) { o.Region = "us-east-1" })
	subnets := east.defaultSubnets(dflt)[:2]
	newLB := func(name string, scheme elbtypes.LoadBalancerSchemeEnum) string {
		out, err := lbs.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(name), Subnets: subnets, Scheme: scheme})
		east.ok("create load balancer", err)
		return aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	}
	guarded, bare, internal := newLB("guarded", elbtypes.LoadBalancerSchemeEnumInternetFacing), newLB("bare", elbtypes.LoadBalancerSchemeEnumInternetFacing),
		newLB("internal", elbtypes.LoadBalancerSchemeEnumInternal)
	_, err = lbs.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(guarded),
		Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("access_logs.s3.enabled"), Value: aws.String("true")},
			{Key: aws.String("access_logs.s3.bucket"), Value: aws.String("net-flow-logs")}}})
	east.ok("enable access logs", err)
	waf := wafv2.NewFromConfig(cfg, func(o *wafv2.Options) { o.Region = "us-east-1" })
	acl, err := waf.CreateWebACL(ctx, &wafv2.CreateWebACLInput{Name: aws.String("edge"), Scope: waftypes.ScopeRegional,
		DefaultAction:    &waftypes.DefaultAction{Allow: &waftypes.AllowAction{}},
		VisibilityConfig: &waftypes.VisibilityConfig{MetricName: aws.String("edge"), CloudWatchMetricsEnabled: false, SampledRequestsEnabled: false}})
	east.ok("create web ACL", err)
	_, err = waf.AssociateWebACL(ctx, &wafv2.AssociateWebACLInput{WebACLArn: acl.Summary.ARN, ResourceArn: aws.String(guarded)})
	east.ok("associate web ACL", err)
	cdn, err := cloudfront.NewFromConfig(cfg).CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("net-test"), Comment: aws.String("site"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("o"), DomainName: aws.String("example.com"),
			CustomOriginConfig: &cftypes.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpsOnly}}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("o"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps}}})
	east.ok("create distribution", err)

	// eu-west-1: the default VPC deleted, nothing else.
	wdflt := west.defaultVPC()
	for _, s := range west.defaultSubnets(wdflt) {
		_, err := west.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(s)})
		west.ok("delete default subnet", err)
	}
	_, err = west.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(wdflt)})
	west.ok("delete default VPC", err)

	opts := collect.Options{Regions: []string{"us-east-1", "eu-west-1"},
		Services: []string{"ec2", "elasticloadbalancing", "wafv2", "cloudfront", "route53resolver"}}
	snap := audittest.Collect(t, opts)
	res := audittest.Audit(t, snap, catalog.Defaults(), netIDs...)
	expect := func(id, region, resource string, want catalog.Status, reason ...string) {
		t.Helper()
		audittest.Expect(t, res, id, account, region, resource, want, reason...)
	}

	expect("vpc.flow-logs", "us-east-1", arn("vpc", vpc), catalog.StatusPass, "captures ALL traffic to arn:aws:s3:::net-flow-logs")
	expect("vpc.flow-logs", "us-east-1", arn("vpc", dflt), catalog.StatusFail, "accepted traffic only")
	expect("vpc.flow-logs", "us-east-1", arn("vpc", half), catalog.StatusFail, "has no flow log")
	expect("vpc.flow-logs", "eu-west-1", "", catalog.StatusPass, "no VPC in eu-west-1")

	expect("vpc.dns-query-logs", "us-east-1", arn("vpc", vpc), catalog.StatusPass, aws.ToString(qlc.ResolverQueryLogConfig.Id))
	expect("vpc.dns-query-logs", "us-east-1", arn("vpc", dflt), catalog.StatusFail, "associate it with query logging configuration "+aws.ToString(qlc.ResolverQueryLogConfig.Id))

	expect("vpc.no-default-vpc", "us-east-1", arn("vpc", dflt), catalog.StatusFail, "in use by")
	expect("vpc.no-default-vpc", "eu-west-1", "", catalog.StatusPass, "no default VPC in eu-west-1")

	expect("vpc.default-sg-closed", "us-east-1", arn("security-group", aws.ToString(closed.GroupId)), catalog.StatusPass, "no rules")
	expect("vpc.default-sg-closed", "us-east-1", arn("security-group", openDefault), catalog.StatusFail, "1 outbound rule")

	expect("vpc.endpoints", "us-east-1", arn("vpc", vpc), catalog.StatusPass, "s3 (gateway", "dynamodb (gateway")
	expect("vpc.endpoints", "us-east-1", arn("vpc", half), catalog.StatusFail, "1 private subnet but no available dynamodb endpoint")
	// The default VPC's subnets give out public addresses.
	expect("vpc.endpoints", "us-east-1", arn("vpc", dflt), catalog.StatusPass, "no private subnet")

	expect("vpc.no-admin-ports-open", "us-east-1", arn("security-group", ssh), catalog.StatusFail, "tcp 22 from 0.0.0.0/0 (SSH 22)")
	expect("vpc.no-admin-ports-open", "us-east-1", arn("security-group", wide), catalog.StatusFail, "tcp 0-65535 from ::/0 (SSH 22, RDP 3389)")
	expect("vpc.no-admin-ports-open", "us-east-1", arn("security-group", web), catalog.StatusPass)
	f := audittest.Expect(t, res, "vpc.no-admin-ports-open", account, "us-east-1", arn("network-acl", rdpOpen), catalog.StatusFail, "rule 100 allows all traffic (RDP 3389 from 0.0.0.0/0)")
	if strings.Contains(f.Reason, "SSH") {
		t.Errorf("SSH is denied by rule 50 ahead of the allow-all, yet: %s", f.Reason)
	}
	expect("vpc.no-admin-ports-open", "us-east-1", arn("network-acl", unused), catalog.StatusPass, "filters no subnet")
	expect("vpc.no-admin-ports-open", "us-east-1", arn("network-acl", sshOnly), catalog.StatusFail, "rule 100 allows tcp 22 (SSH 22 from 0.0.0.0/0)")

	expect("ec2.imdsv2", "us-east-1", arn("instance", v1), catalog.StatusFail, "accepts IMDSv1", "http_tokens=optional")
	expect("ec2.imdsv2", "us-east-1", arn("instance", v2), catalog.StatusPass, "requires IMDSv2")
	expect("ec2.imdsv2", "us-east-1", arn("instance", off), catalog.StatusPass, "endpoint disabled")
	expect("ec2.imdsv2", "eu-west-1", "", catalog.StatusPass, "no instance")

	expect("ec2.no-public-instances", "us-east-1", arn("instance", v1), catalog.StatusFail, ssh+" admits tcp 22 from 0.0.0.0/0")
	expect("ec2.no-public-instances", "us-east-1", arn("instance", v2), catalog.StatusPass, "no public IP")

	expect("ec2.approved-amis", "us-east-1", arn("instance", v1), catalog.StatusPass, "owned by amazon")
	expect("ec2.approved-amis", "us-east-1", arn("instance", off), catalog.StatusPass, "owned by "+account)
	strict := catalog.Defaults()
	strict.ApprovedAMIOwners = []string{"amazon"}
	res2 := audittest.Audit(t, snap, strict, "ec2.approved-amis")
	audittest.Expect(t, res2, "ec2.approved-amis", account, "us-east-1", arn("instance", off), catalog.StatusFail, "not an approved owner (audit.approved_ami_owners: amazon)")

	expect("ebs.default-encryption", "us-east-1", "", catalog.StatusPass, "on in us-east-1")
	expect("ebs.default-encryption", "eu-west-1", "", catalog.StatusFail, "off in eu-west-1")

	expect("elb.access-logs", "us-east-1", guarded, catalog.StatusPass)
	expect("elb.access-logs", "us-east-1", bare, catalog.StatusFail, "does not write access logs")
	expect("elb.access-logs", "us-east-1", internal, catalog.StatusFail)
	expect("elb.access-logs", "eu-west-1", "", catalog.StatusPass, "no application or network load balancer")

	expect("waf.public-endpoints", "us-east-1", guarded, catalog.StatusPass, aws.ToString(acl.Summary.ARN))
	expect("waf.public-endpoints", "us-east-1", bare, catalog.StatusFail, "associate web ACL edge")
	expect("waf.public-endpoints", "us-east-1", aws.ToString(cdn.Distribution.ARN), catalog.StatusFail, "no web ACL")
	if fs := audittest.Find(res, "waf.public-endpoints", account, "*", internal); len(fs) != 0 {
		t.Errorf("internal load balancer assessed for WAF: %+v", fs)
	}
	expect("waf.public-endpoints", "eu-west-1", "", catalog.StatusPass, "no internet-facing application load balancer in eu-west-1")

	// Only the emulator's gap may be an error: GetEbsDefaultKmsKeyId.
	for _, e := range snap.Errors {
		if e.Operation != "GetEbsDefaultKmsKeyId" {
			t.Errorf("unexpected read error: %+v", e)
		}
	}
}

// netSnapshot is one account with the given EC2 state in us-east-1.
func netSnapshot(s *snapshot.EC2) *snapshot.Snapshot {
	return &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Regions: []string{"us-east-1"}, Accounts: []*snapshot.Account{{
		AccountID: "111111111111", Regions: map[string]*snapshot.Region{"us-east-1": {EC2: s}}}}}
}

// Network ACL entries apply in rule-number order, first match wins, and an
// entry for a narrower range decides only for its own addresses.
func TestNetworkACLRuleOrder(t *testing.T) {
	entry := func(n int32, proto, action, cidr string, from, to int32) snapshot.ACLEntry {
		return snapshot.ACLEntry{RuleNumber: n, Protocol: proto, Action: action, CIDR: cidr, FromPort: from, ToPort: to}
	}
	deflt := []snapshot.ACLEntry{entry(32767, "-1", "deny", "0.0.0.0/0", -1, -1), entry(32768, "-1", "deny", "::/0", -1, -1)}
	for _, c := range []struct {
		name    string
		entries []snapshot.ACLEntry
		open    string // "" when closed
	}{
		{"default allow-all", []snapshot.ACLEntry{entry(100, "-1", "allow", "0.0.0.0/0", -1, -1)}, "rule 100 allows all traffic (SSH 22 from 0.0.0.0/0, RDP 3389 from 0.0.0.0/0)"},
		{"deny first, listed out of order", []snapshot.ACLEntry{entry(200, "-1", "allow", "0.0.0.0/0", -1, -1), entry(10, "6", "deny", "0.0.0.0/0", 0, 65535)}, ""},
		{"deny after allow loses", []snapshot.ACLEntry{entry(10, "6", "allow", "0.0.0.0/0", 20, 30), entry(20, "6", "deny", "0.0.0.0/0", 22, 22)}, "rule 10 allows tcp 20-30 (SSH 22 from 0.0.0.0/0)"},
		{"narrow deny does not close the internet", []snapshot.ACLEntry{entry(10, "6", "deny", "198.51.100.0/24", 22, 22), entry(20, "6", "allow", "0.0.0.0/0", 22, 22)}, "rule 20 allows tcp 22"},
		{"narrow allow is not the internet", []snapshot.ACLEntry{entry(10, "6", "allow", "10.0.0.0/8", 0, 65535)}, ""},
		{"range stopping short of 22", []snapshot.ACLEntry{entry(10, "6", "allow", "0.0.0.0/0", 23, 3388)}, ""},
		{"udp never reaches SSH or RDP", []snapshot.ACLEntry{entry(10, "17", "allow", "0.0.0.0/0", 0, 65535)}, ""},
		{"IPv6 decided separately", []snapshot.ACLEntry{entry(10, "-1", "deny", "0.0.0.0/0", -1, -1), entry(20, "6", "allow", "::/0", 3389, 3389)}, "rule 20 allows tcp 3389 (RDP 3389 from ::/0)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			acl := snapshot.NetworkACL{ID: "acl-1", VPCID: "vpc-1", Subnets: []string{"subnet-1"}, Entries: append(c.entries, deflt...)}
			// Egress entries never decide inbound traffic.
			acl.Entries = append(acl.Entries, snapshot.ACLEntry{RuleNumber: 1, Egress: true, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1})
			res := audittest.Audit(t, netSnapshot(&snapshot.EC2{NetworkACLs: []snapshot.NetworkACL{acl}}), catalog.Defaults(), "vpc.no-admin-ports-open")
			resource := "arn:aws:ec2:us-east-1:111111111111:network-acl/acl-1"
			if c.open == "" {
				audittest.Expect(t, res, "vpc.no-admin-ports-open", "111111111111", "us-east-1", resource, catalog.StatusPass)
				return
			}
			audittest.Expect(t, res, "vpc.no-admin-ports-open", "111111111111", "us-east-1", resource, catalog.StatusFail, c.open)
		})
	}
}

func TestSecurityGroupPortRanges(t *testing.T) {
	rule := func(proto string, from, to int32, src string) snapshot.SGRule {
		return snapshot.SGRule{Protocol: proto, FromPort: from, ToPort: to, Source: src}
	}
	for _, c := range []struct {
		rule snapshot.SGRule
		open string
	}{
		{rule("-1", -1, -1, "0.0.0.0/0"), "all traffic from 0.0.0.0/0 (SSH 22, RDP 3389)"},
		{rule("tcp", 3389, 3389, "::/0"), "tcp 3389 from ::/0 (RDP 3389)"},
		{rule("tcp", 1024, 65535, "0.0.0.0/0"), "tcp 1024-65535 from 0.0.0.0/0 (RDP 3389)"},
		{rule("tcp", 22, 22, "203.0.113.0/24"), ""},
		{rule("tcp", 22, 22, "sg-0123"), ""},
		{rule("udp", 0, 65535, "0.0.0.0/0"), ""},
		{rule("icmp", -1, -1, "0.0.0.0/0"), ""},
	} {
		g := snapshot.SecurityGroup{ID: "sg-1", Name: "g", Ingress: []snapshot.SGRule{c.rule}}
		res := audittest.Audit(t, netSnapshot(&snapshot.EC2{SecurityGroups: []snapshot.SecurityGroup{g}}), catalog.Defaults(), "vpc.no-admin-ports-open")
		want, reason := catalog.StatusFail, []string{c.open}
		if c.open == "" {
			want, reason = catalog.StatusPass, nil
		}
		audittest.Expect(t, res, "vpc.no-admin-ports-open", "111111111111", "us-east-1", "arn:aws:ec2:us-east-1:111111111111:security-group/sg-1", want, reason...)
	}
}
