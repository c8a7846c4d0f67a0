package awsx

import (
	"context"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// S3Control returns an S3 Control client that also works off AWS: S3
// Control addresses {account}.s3-control.{region}.amazonaws.com, which only
// AWS's DNS answers, so elsewhere (an emulator, a proxy) the account id is
// kept out of the host name; it travels in x-amz-account-id anyway.
func S3Control(cfg aws.Config) *s3control.Client {
	return s3control.NewFromConfig(cfg, func(o *s3control.Options) {
		if OffAWS(o.BaseEndpoint) {
			o.EndpointResolverV2 = unprefixedS3Control{o.EndpointResolverV2}
		}
	})
}

type unprefixedS3Control struct{ s3control.EndpointResolverV2 }

func (r unprefixedS3Control) ResolveEndpoint(ctx context.Context, p s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	ep, err := r.EndpointResolverV2.ResolveEndpoint(ctx, p)
	if err == nil && p.AccountId != nil {
		ep.URI.Host = strings.TrimPrefix(ep.URI.Host, *p.AccountId+".")
	}
	return ep, err
}

// OffAWS reports whether a configured endpoint is not one of AWS's own.
func OffAWS(endpoint *string) bool {
	if endpoint == nil {
		return false
	}
	u, err := url.Parse(*endpoint)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return !strings.HasSuffix(h, ".amazonaws.com") && !strings.HasSuffix(h, ".amazonaws.com.cn") && !strings.HasSuffix(h, ".api.aws")
}
