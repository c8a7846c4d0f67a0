package controls

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// fakeVPC is a region whose default VPC gains a network interface.
type fakeVPC struct {
	enis    []string
	deleted []string
	gone    bool
}

func (f *fakeVPC) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	out := &ec2.DescribeNetworkInterfacesOutput{}
	for _, id := range f.enis {
		out.NetworkInterfaces = append(out.NetworkInterfaces, ec2types.NetworkInterface{NetworkInterfaceId: aws.String(id), VpcId: aws.String(in.Filters[0].Values[0])})
	}
	return out, nil
}

func (f *fakeVPC) DeleteSubnet(_ context.Context, in *ec2.DeleteSubnetInput, _ ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error) {
	f.deleted = append(f.deleted, aws.ToString(in.SubnetId))
	return &ec2.DeleteSubnetOutput{}, nil
}

func (f *fakeVPC) DetachInternetGateway(_ context.Context, in *ec2.DetachInternetGatewayInput, _ ...func(*ec2.Options)) (*ec2.DetachInternetGatewayOutput, error) {
	return nil, awsErr("Gateway.NotAttached", "already detached")
}

func (f *fakeVPC) DeleteInternetGateway(_ context.Context, in *ec2.DeleteInternetGatewayInput, _ ...func(*ec2.Options)) (*ec2.DeleteInternetGatewayOutput, error) {
	f.deleted = append(f.deleted, aws.ToString(in.InternetGatewayId))
	return &ec2.DeleteInternetGatewayOutput{}, nil
}

func (f *fakeVPC) DeleteVpc(_ context.Context, in *ec2.DeleteVpcInput, _ ...func(*ec2.Options)) (*ec2.DeleteVpcOutput, error) {
	if f.gone {
		return nil, awsErr("InvalidVpcID.NotFound", "no such VPC")
	}
	f.deleted = append(f.deleted, aws.ToString(in.VpcId))
	return &ec2.DeleteVpcOutput{}, nil
}

func TestDefaultVPCDeletionSafety(t *testing.T) {
	ctx := context.Background()
	f := &fakeVPC{enis: []string{"eni-1"}}
	for _, step := range []func(context.Context, defaultVPCDeleter, vpcPart) error{deleteSubnet, deleteInternetGateway, deleteVPC} {
		err := deleteDefaultVPCPart(ctx, f, vpcPart{VPCID: "vpc-1", ID: "x-1"}, step)
		if err == nil || !strings.Contains(err.Error(), "refusing to delete default VPC vpc-1: it now holds 1 network interface (eni-1)") {
			t.Fatalf("step with an interface present: %v", err)
		}
	}
	if len(f.deleted) > 0 {
		t.Fatalf("deleted %v in a VPC in use", f.deleted)
	}
	// Empty again, after a crash: a detached gateway and a VPC already gone
	// count as done.
	f = &fakeVPC{gone: true}
	if err := deleteDefaultVPCPart(ctx, f, vpcPart{VPCID: "vpc-1", ID: "igw-1"}, deleteInternetGateway); err != nil {
		t.Fatal(err)
	}
	if err := deleteDefaultVPCPart(ctx, f, vpcPart{VPCID: "vpc-1", ID: "vpc-1"}, deleteVPC); err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.deleted, ",") != "igw-1" {
		t.Fatalf("deleted %v", f.deleted)
	}
}
