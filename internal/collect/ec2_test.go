package collect

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// denyEC2 answers every read with AccessDenied.
type denyEC2 struct{}

func (denyEC2) DescribeVpcs(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeSubnets(context.Context, *ec2.DescribeSubnetsInput, ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeSecurityGroups(context.Context, *ec2.DescribeSecurityGroupsInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeNetworkAcls(context.Context, *ec2.DescribeNetworkAclsInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkAclsOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeRouteTables(context.Context, *ec2.DescribeRouteTablesInput, ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeInternetGateways(context.Context, *ec2.DescribeInternetGatewaysInput, ...func(*ec2.Options)) (*ec2.DescribeInternetGatewaysOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeImages(context.Context, *ec2.DescribeImagesInput, ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeNetworkInterfaces(context.Context, *ec2.DescribeNetworkInterfacesInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeFlowLogs(context.Context, *ec2.DescribeFlowLogsInput, ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeVpcEndpoints(context.Context, *ec2.DescribeVpcEndpointsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeVpcPeeringConnections(context.Context, *ec2.DescribeVpcPeeringConnectionsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcPeeringConnectionsOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) DescribeTransitGatewayAttachments(context.Context, *ec2.DescribeTransitGatewayAttachmentsInput, ...func(*ec2.Options)) (*ec2.DescribeTransitGatewayAttachmentsOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) GetEbsEncryptionByDefault(context.Context, *ec2.GetEbsEncryptionByDefaultInput, ...func(*ec2.Options)) (*ec2.GetEbsEncryptionByDefaultOutput, error) {
	return nil, errAccessDenied
}
func (denyEC2) GetEbsDefaultKmsKeyId(context.Context, *ec2.GetEbsDefaultKmsKeyIdInput, ...func(*ec2.Options)) (*ec2.GetEbsDefaultKmsKeyIdOutput, error) {
	return nil, errAccessDenied
}

// recordedOps lists the "service:Operation[ resource]" of the recorded
// errors, checking each is an access denial.
func recordedOps(t *testing.T, snap *snapshot.Snapshot) []string {
	t.Helper()
	var ops []string
	for _, e := range snap.Errors {
		if e.Class != "access_denied" {
			t.Errorf("%s:%s class = %s", e.Service, e.Operation, e.Class)
		}
		op := e.Service + ":" + e.Operation
		if e.Resource != "" {
			op += " " + e.Resource
		}
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// expectDenied asserts that every finding of the controls is an ERROR
// naming one of the denied reads, and that each control reported.
func expectDenied(t *testing.T, snap *snapshot.Snapshot, ids ...string) {
	t.Helper()
	var controls []*catalog.Control
	for _, id := range ids {
		c, ok := catalog.Get(id)
		if !ok {
			t.Fatalf("unknown control %s", id)
		}
		controls = append(controls, c)
	}
	res := audit.Run(snap, audit.Options{Settings: catalog.Defaults(), Controls: controls})
	seen := map[string]bool{}
	for _, f := range res.Findings {
		seen[f.ControlID] = true
		if f.Status != catalog.StatusError || !strings.Contains(f.Reason, "access denied to ") {
			t.Errorf("%s %s: %s %q, want ERROR naming the denied read", f.ControlID, f.Resource, f.Status, f.Reason)
		}
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("%s reported nothing", id)
		}
	}
}

func TestEC2CollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "ec2", "us-east-1")
	collectEC2(context.Background(), task, denyEC2{})
	want := []string{"ec2:DescribeFlowLogs", "ec2:DescribeInstances", "ec2:DescribeInternetGateways", "ec2:DescribeNetworkAcls",
		"ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
		"ec2:DescribeTransitGatewayAttachments", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeVpcs",
		"ec2:GetEbsEncryptionByDefault"}
	if got := recordedOps(t, snap()); !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
	expectDenied(t, snap(), "vpc.flow-logs", "vpc.dns-query-logs", "vpc.no-default-vpc", "vpc.default-sg-closed", "vpc.endpoints",
		"vpc.no-admin-ports-open", "ec2.imdsv2", "ec2.no-public-instances", "ec2.approved-amis", "ebs.default-encryption")
}

// imageFake runs two instances of one AMI and one of a deregistered AMI,
// with their security groups and public address on a secondary interface.
type imageFake struct {
	denyEC2
	filters [][]string
}

func (f *imageFake) DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	inst := func(id, ami string) ec2types.Instance {
		return ec2types.Instance{InstanceId: aws.String(id), ImageId: aws.String(ami), State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning},
			SecurityGroups: []ec2types.GroupIdentifier{{GroupId: aws.String("sg-1")}},
			NetworkInterfaces: []ec2types.InstanceNetworkInterface{{Groups: []ec2types.GroupIdentifier{{GroupId: aws.String("sg-1")}, {GroupId: aws.String("sg-2")}},
				Association: &ec2types.InstanceNetworkInterfaceAssociation{PublicIp: aws.String("203.0.113.7")}}},
			MetadataOptions: &ec2types.InstanceMetadataOptionsResponse{HttpTokens: ec2types.HttpTokensStateOptional, HttpEndpoint: ec2types.InstanceMetadataEndpointStateEnabled}}
	}
	return &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{{Instances: []ec2types.Instance{
		inst("i-1", "ami-golden"), inst("i-2", "ami-golden"), inst("i-3", "ami-gone")}}}}, nil
}

func (f *imageFake) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	f.filters = append(f.filters, in.Filters[0].Values)
	return &ec2.DescribeImagesOutput{Images: []ec2types.Image{{ImageId: aws.String("ami-golden"), OwnerId: aws.String("999999999999"), Name: aws.String("golden")}}}, nil
}

func TestEC2CollectorDescribesEachImageOnce(t *testing.T) {
	task, snap := fakeTask(t, "ec2", "us-east-1")
	fake := &imageFake{}
	collectEC2(context.Background(), task, fake)
	if len(fake.filters) != 1 || !slices.Equal(fake.filters[0], []string{"ami-golden", "ami-gone"}) {
		t.Fatalf("DescribeImages filters = %v, want one call for ami-golden and ami-gone", fake.filters)
	}
	s := snap().Accounts[0].Regions["us-east-1"].EC2
	if len(s.Instances) != 3 || s.Images["ami-golden"].OwnerID != "999999999999" || len(s.Images) != 1 {
		t.Fatalf("instances %+v images %+v", s.Instances, s.Images)
	}
	if i := s.Instances[0]; i.PublicIP != "203.0.113.7" || !slices.Equal(i.SecurityGroups, []string{"sg-1", "sg-2"}) {
		t.Fatalf("instance = %+v, want the secondary interface's address and groups", i)
	}
}
