package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func securityHubMoto(t *testing.T) {
	opts := collect.Options{Regions: []string{"us-east-1"}, Services: []string{"securityhub"}}
	res := audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "securityhub.enabled")
	audittest.Expect(t, res, "securityhub.enabled", "*", "us-east-1", "", catalog.StatusFail, "Security Hub is not enabled in us-east-1")

	fixtureOK(t)(securityhub.NewFromConfig(moto.Config(t)).EnableSecurityHub(context.Background(), &securityhub.EnableSecurityHubInput{
		EnableDefaultStandards: aws.Bool(true)}))
	// The emulator has no standards: the check says so rather than guess.
	res = audittest.Audit(t, audittest.Collect(t, opts), catalog.Defaults(), "securityhub.enabled")
	audittest.Expect(t, res, "securityhub.enabled", "*", "us-east-1", "", catalog.StatusError, "securityhub:GetEnabledStandards", "not supported by the endpoint")
}

// Standards are a moto gap: hand-built snapshots.
func TestSecurityHubStandards(t *testing.T) {
	hub := func(standards ...snapshot.Standard) *snapshot.Snapshot {
		return orgSnapshot(regionAccount("222222222222", "prod", &snapshot.Region{SecurityHub: &snapshot.SecurityHub{Enabled: true,
			AdminAccountID: "333333333333", Standards: standards}}))
	}
	res := audittest.Audit(t, hub(snapshot.Standard{Arn: "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
		Status: "READY"}), catalog.Defaults(), "securityhub.enabled")
	audittest.Expect(t, res, "securityhub.enabled", "222222222222", "us-east-1", "", catalog.StatusPass,
		"enabled with aws-foundational-security-best-practices/v/1.0.0 (managed by the delegated administrator 333333333333)")

	res = audittest.Audit(t, hub(snapshot.Standard{Arn: "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0", Status: "FAILED"}),
		catalog.Defaults(), "securityhub.enabled")
	audittest.Expect(t, res, "securityhub.enabled", "222222222222", "us-east-1", "", catalog.StatusFail, "runs no security standard")

	snap := hub()
	snap.Errors = []snapshot.Error{denial("222222222222", "securityhub:DescribeHub", "")}
	res = audittest.Audit(t, snap, catalog.Defaults(), "securityhub.enabled")
	audittest.Expect(t, res, "securityhub.enabled", "222222222222", "us-east-1", "", catalog.StatusError, "access denied to securityhub:DescribeHub")
}
