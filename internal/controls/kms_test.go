package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func kmsRotationMoto(t *testing.T) {
	ctx := context.Background()
	api := kms.NewFromConfig(moto.Config(t))
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"kms"}}
	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "kms.rotation")
	audittest.Expect(t, res, "kms.rotation", "*", "us-east-1", "", catalog.StatusPass, "no customer-managed symmetric key in us-east-1")

	key, err := api.CreateKey(ctx, &kms.CreateKeyInput{})
	fixtureOK(t)(key, err)
	fixtureOK(t)(api.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecRsa2048, KeyUsage: kmstypes.KeyUsageTypeSignVerify}))
	arn := *key.KeyMetadata.Arn
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "kms.rotation")
	audittest.Expect(t, res, "kms.rotation", "*", "us-east-1", arn, catalog.StatusFail, "does not rotate automatically")
	if n := len(res.Findings); n != 1 {
		t.Fatalf("%d findings, want one (the asymmetric key is out of scope):\n%s", n, audittest.Dump(res, ""))
	}

	fixtureOK(t)(api.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: key.KeyMetadata.KeyId}))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "kms.rotation")
	audittest.Expect(t, res, "kms.rotation", "*", "us-east-1", arn, catalog.StatusPass, "rotates automatically")
}

func TestKMSRotationUnreadableKeysAreErrors(t *testing.T) {
	key := snapshot.Key{ID: "k1", Arn: "arn:aws:kms:us-east-1:222222222222:key/k1", Spec: "SYMMETRIC_DEFAULT",
		State: "Enabled", Origin: "AWS_KMS"}
	snap := orgSnapshot(regionAccount("222222222222", "prod", &snapshot.Region{KMS: &snapshot.KMS{Keys: []snapshot.Key{key}}}))
	snap.Errors = []snapshot.Error{denial("222222222222", "kms:DescribeKey", "k2"), denial("222222222222", "kms:GetKeyRotationStatus", key.Arn)}
	res := audittest.Audit(t, snap, catalog.Defaults(), "kms.rotation")
	audittest.Expect(t, res, "kms.rotation", "222222222222", "us-east-1", "k2", catalog.StatusError, "access denied to kms:DescribeKey")
	audittest.Expect(t, res, "kms.rotation", "222222222222", "us-east-1", key.Arn, catalog.StatusError, "access denied to kms:GetKeyRotationStatus")
}
