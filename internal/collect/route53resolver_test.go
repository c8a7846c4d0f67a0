package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
)

type denyResolver struct{}

func (denyResolver) ListResolverQueryLogConfigs(context.Context, *route53resolver.ListResolverQueryLogConfigsInput, ...func(*route53resolver.Options)) (*route53resolver.ListResolverQueryLogConfigsOutput, error) {
	return nil, errAccessDenied
}

func (denyResolver) ListResolverQueryLogConfigAssociations(context.Context, *route53resolver.ListResolverQueryLogConfigAssociationsInput, ...func(*route53resolver.Options)) (*route53resolver.ListResolverQueryLogConfigAssociationsOutput, error) {
	return nil, errAccessDenied
}

func TestResolverCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "route53resolver", "us-east-1")
	collectResolver(context.Background(), task, denyResolver{})
	want := []string{"route53resolver:ListResolverQueryLogConfigAssociations", "route53resolver:ListResolverQueryLogConfigs"}
	if got := recordedOps(t, snap()); !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
}
