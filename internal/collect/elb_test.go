package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

const publicALB = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/1"

// fakeELB lists an internet-facing ALB and an internal NLB; listErr denies
// the listing, attrErr each balancer's attributes.
type fakeELB struct{ listErr, attrErr error }

func (f fakeELB) DescribeLoadBalancers(context.Context, *elb.DescribeLoadBalancersInput, ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &elb.DescribeLoadBalancersOutput{LoadBalancers: []elbtypes.LoadBalancer{
		{LoadBalancerName: aws.String("web"), LoadBalancerArn: aws.String(publicALB), Type: elbtypes.LoadBalancerTypeEnumApplication, Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing},
		{LoadBalancerName: aws.String("db"), LoadBalancerArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/db/2"),
			Type: elbtypes.LoadBalancerTypeEnumNetwork, Scheme: elbtypes.LoadBalancerSchemeEnumInternal},
	}}, nil
}

func (f fakeELB) DescribeLoadBalancerAttributes(context.Context, *elb.DescribeLoadBalancerAttributesInput, ...func(*elb.Options)) (*elb.DescribeLoadBalancerAttributesOutput, error) {
	return &elb.DescribeLoadBalancerAttributesOutput{Attributes: []elbtypes.LoadBalancerAttribute{
		{Key: aws.String("access_logs.s3.enabled"), Value: aws.String("true")}}}, f.attrErr
}

// fakeWebACLFor protects nothing, or denies.
type fakeWebACLFor struct {
	err   error
	asked *[]string
}

func (f fakeWebACLFor) GetWebACLForResource(_ context.Context, in *wafv2.GetWebACLForResourceInput, _ ...func(*wafv2.Options)) (*wafv2.GetWebACLForResourceOutput, error) {
	*f.asked = append(*f.asked, aws.ToString(in.ResourceArn))
	return &wafv2.GetWebACLForResourceOutput{}, f.err
}

func TestELBCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "elasticloadbalancing", "us-east-1")
	var asked []string
	collectELB(context.Background(), task, fakeELB{listErr: errAccessDenied}, fakeWebACLFor{asked: &asked})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"elasticloadbalancing:DescribeLoadBalancers"}) {
		t.Fatalf("recorded %v", got)
	}
	expectDenied(t, snap(), "elb.access-logs", "waf.public-endpoints")
}

// Per balancer denials make that balancer's findings ERROR; WAF is asked
// about the internet-facing application load balancer only.
func TestELBCollectorRecordsPerBalancerDenials(t *testing.T) {
	task, snap := fakeTask(t, "elasticloadbalancing", "us-east-1")
	var asked []string
	collectELB(context.Background(), task, fakeELB{attrErr: errAccessDenied}, fakeWebACLFor{err: errAccessDenied, asked: &asked})
	if !slices.Equal(asked, []string{publicALB}) {
		t.Fatalf("GetWebACLForResource asked for %v, want the public ALB only", asked)
	}
	want := []string{"elasticloadbalancing:DescribeLoadBalancerAttributes " + publicALB,
		"elasticloadbalancing:DescribeLoadBalancerAttributes arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/db/2",
		"wafv2:GetWebACLForResource " + publicALB}
	slices.Sort(want)
	if got := recordedOps(t, snap()); !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
	s := snap()
	s.Accounts[0].Global.CloudFr = &snapshot.CloudFront{} // no distribution
	expectDenied(t, s, "elb.access-logs", "waf.public-endpoints")
}
