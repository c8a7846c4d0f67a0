package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	insptypes "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func inspectorMoto(t *testing.T) {
	ctx := context.Background()
	cfg := moto.Config(t)
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"inspector2"}}
	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "inspector.enabled")
	audittest.Expect(t, res, "inspector.enabled", "*", "us-east-1", "", catalog.StatusFail, "Inspector is not enabled in us-east-1")

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	fixtureOK(t)(id, err)
	fixtureOK(t)(inspector2.NewFromConfig(cfg).Enable(ctx, &inspector2.EnableInput{AccountIds: []string{*id.Account},
		ResourceTypes: []insptypes.ResourceScanType{insptypes.ResourceScanTypeEc2, insptypes.ResourceScanTypeEcr}}))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "inspector.enabled")
	audittest.Expect(t, res, "inspector.enabled", "*", "us-east-1", "", catalog.StatusPass, "Inspector scans EC2, ECR (not LAMBDA, LAMBDA_CODE)")
}

func TestInspectorDenied(t *testing.T) {
	snap := orgSnapshot(regionAccount("222222222222", "prod", &snapshot.Region{}))
	snap.Errors = []snapshot.Error{denial("222222222222", "inspector2:BatchGetAccountStatus", "")}
	res := audittest.Audit(t, snap, catalog.Defaults(), "inspector.enabled")
	audittest.Expect(t, res, "inspector.enabled", "222222222222", "us-east-1", "", catalog.StatusError, "access denied to inspector2:BatchGetAccountStatus")
}
