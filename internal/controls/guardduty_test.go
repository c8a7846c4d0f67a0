package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func guardDutyMoto(t *testing.T) {
	ctx := context.Background()
	ok := fixtureOK(t)
	api := guardduty.NewFromConfig(moto.Config(t))
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"guardduty"}}

	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "*", "us-east-1", "", catalog.StatusFail, "no GuardDuty detector in us-east-1")

	d, err := api.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	ok(d, err)
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "*", "us-east-1", "", catalog.StatusFail, "S3 Protection is off")

	ok(api.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: d.DetectorId,
		Features: []gdtypes.DetectorFeatureConfiguration{{Name: gdtypes.DetectorFeatureS3DataEvents, Status: gdtypes.FeatureStatusEnabled}}}))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "*", "us-east-1", "", catalog.StatusPass, "is enabled with S3 Protection")

	ok(api.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: d.DetectorId, Enable: aws.Bool(false)}))
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "*", "us-east-1", "", catalog.StatusFail, "is DISABLED: enable it")
}

// GuardDuty organization configuration is a moto gap: hand-built snapshots.
func TestGuardDutyOrgAutoEnable(t *testing.T) {
	admin := func(auto, s3 string) *snapshot.Account {
		return regionAccount("333333333333", "security", &snapshot.Region{GuardDuty: &snapshot.GuardDuty{
			Detectors:     []snapshot.Detector{{ID: "d", Status: "ENABLED", Features: map[string]bool{snapshot.GuardDutyS3: true}}},
			OrgAutoEnable: auto, OrgFeatures: map[string]string{snapshot.GuardDutyS3: s3}}})
	}
	member := func() *snapshot.Account {
		return regionAccount("222222222222", "prod", &snapshot.Region{GuardDuty: &snapshot.GuardDuty{}})
	}
	managed := regionAccount("444444444444", "dev", &snapshot.Region{GuardDuty: &snapshot.GuardDuty{AdminAccountID: "333333333333",
		Detectors: []snapshot.Detector{{ID: "m", Status: "ENABLED", Features: map[string]bool{snapshot.GuardDutyS3: true}}}}})

	res := audittest.Audit(t, orgSnapshot(admin("ALL", "ALL"), member(), managed), catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "222222222222", "us-east-1", "", catalog.StatusPass,
		"covered by organization auto-enable (ALL, S3 Protection included) from the delegated administrator 333333333333")
	audittest.Expect(t, res, "guardduty.enabled", "444444444444", "us-east-1", "", catalog.StatusPass, "managed by the delegated administrator 333333333333")
	audittest.Expect(t, res, "guardduty.enabled", "333333333333", "us-east-1", "", catalog.StatusPass)

	res = audittest.Audit(t, orgSnapshot(admin("NEW", "NEW"), member()), catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "222222222222", "us-east-1", "", catalog.StatusFail, "auto-enables NEW members only")
	res = audittest.Audit(t, orgSnapshot(admin("ALL", "NONE"), member()), catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "222222222222", "us-east-1", "", catalog.StatusFail, "but not S3 Protection")

	// The administrator's configuration could not be read: cannot tell.
	snap := orgSnapshot(admin("", ""), member())
	snap.Organization.DelegatedAdmins = []snapshot.DelegatedAdmin{{AccountID: "333333333333", ServicePrincipal: "guardduty.amazonaws.com"}}
	snap.Errors = []snapshot.Error{denial("333333333333", "guardduty:DescribeOrganizationConfiguration", "")}
	res = audittest.Audit(t, snap, catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "222222222222", "us-east-1", "", catalog.StatusError,
		"auto-enable setting is unknown: access denied to guardduty:DescribeOrganizationConfiguration")

	// A denied listing is an error, never a FAIL.
	snap = orgSnapshot(regionAccount("222222222222", "prod", &snapshot.Region{}))
	snap.Errors = []snapshot.Error{denial("222222222222", "guardduty:ListDetectors", "")}
	res = audittest.Audit(t, snap, catalog.Defaults(), "guardduty.enabled")
	audittest.Expect(t, res, "guardduty.enabled", "222222222222", "us-east-1", "", catalog.StatusError, "access denied to guardduty:ListDetectors")
}
