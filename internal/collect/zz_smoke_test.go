package collect

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func TestZZSmoke(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	cfg := moto.Config(t)
	t0 := time.Now()
	defer func() { t.Logf("total %v", time.Since(t0)) }()
	in, err := fixture.BuildInsecure(ctx, cfg, []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	_ = in
	s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("mgmt-b1")})
	if _, err := newS3Control(cfg).PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(in.Management),
		PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	defer func() { t.Logf("collect took %v", time.Since(start)) }()
	ss, _ := awsx.NewSessions(ctx, awsx.Options{})
	ss.Stats.TrackDuplicates(true)
	snap, err := Run(ctx, ss, Options{Org: true, Regions: []string{"us-east-1", "eu-west-1"}, Services: []string{"ec2", "s3", "elasticloadbalancing", "wafv2", "shield", "cloudfront", "backup", "route53resolver", "dynamodb", "ecs", "tagging", "lambda", "rds"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(snap, "", " ")
	os.WriteFile("/tmp/smoke.json", b, 0o644)
	t.Logf("calls %d per op %v dups %v", ss.Stats.Calls(), ss.Stats.PerOperation(), ss.Stats.Duplicates())
	for _, e := range snap.Errors {
		t.Logf("err %+v", e)
	}
}
