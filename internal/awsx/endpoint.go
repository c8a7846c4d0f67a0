package awsx

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// CustomEndpoint reports whether the SDK is pointed at another endpoint than
// AWS's (AWS_ENDPOINT_URL, as the AWS CLI honours it): a local emulator or a
// VPC endpoint proxy.
func CustomEndpoint() bool {
	return os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
}

// S3Addressing makes S3 clients use path-style requests when a custom
// endpoint is configured: emulators and proxies cannot resolve
// bucket.host virtual-host names.
func S3Addressing(o *s3.Options) {
	if CustomEndpoint() {
		o.UsePathStyle = true
	}
}
