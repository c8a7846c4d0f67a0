package controls

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "kms.rotation",
	Title:    "Customer-managed symmetric KMS keys rotate automatically",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"4.6"},
	Rationale: "Automatic rotation replaces a key's material every year (or the period you set) while old ciphertext stays " +
		"readable, which limits how much data any one piece of key material protects, at no operational cost.",
	Steps: "Console: KMS > Customer managed keys > <key> > Key rotation > Automatically rotate this KMS key every year.\n" +
		"CLI: aws kms enable-key-rotation --key-id <key-id> [--rotation-period-in-days 365]",
	Reads: []string{"kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus"},
	Check: func(e *catalog.Eval) {
		k := e.R.KMS
		if k == nil {
			e.NotCollected("kms")
			return
		}
		for _, err := range readFailures(e.Snap, e.Account.AccountID, e.Region, "kms:DescribeKey", "*") {
			e.ReadFailed(err.Resource, err)
		}
		for _, key := range k.Keys {
			// Rotation does not apply to asymmetric, HMAC and imported keys,
			// nor to keys awaiting deletion or import.
			if !key.Rotatable() {
				continue
			}
			switch err := e.FailedOn("kms:GetKeyRotationStatus", key.Arn); {
			case err != nil:
				e.ReadFailed(key.Arn, err)
			case key.RotationEnabled:
				e.Pass(key.Arn, "key %s rotates automatically", key.ID)
			default:
				e.Fail(key.Arn, "key %s does not rotate automatically: enable key rotation", key.ID)
			}
		}
		if len(e.Findings()) == 0 {
			e.Pass("", "no customer-managed symmetric key in %s", e.Region)
		}
	},
	Fix: &catalog.Fix{
		// A disabled key is someone's decision (often on the way to
		// deletion): apply does not enable it to rotate it.
		Plan: func(p *catalog.Planner) {
			for _, f := range failures(p) {
				if i := slices.IndexFunc(p.R.KMS.Keys, func(k snapshot.Key) bool { return k.Arn == f.Resource }); i >= 0 && p.R.KMS.Keys[i].State == "Disabled" {
					p.Here().Block(f.Resource, "the key is disabled: enable it to rotate it, or schedule its deletion")
					continue
				}
				p.Here().Update("rotate", f.Resource, false, true)
			}
		},
		Ops: map[string]catalog.Op{"rotate": func(ctx context.Context, cfg aws.Config, ch *catalog.Change) error {
			return enableKeyRotation(ctx, kms.NewFromConfig(cfg), ch.Resource)
		}},
	},
})

type keyRotationWriter interface {
	EnableKeyRotation(context.Context, *kms.EnableKeyRotationInput, ...func(*kms.Options)) (*kms.EnableKeyRotationOutput, error)
}

// enableKeyRotation turns on yearly rotation (AWS's default period).
func enableKeyRotation(ctx context.Context, c keyRotationWriter, keyARN string) error {
	_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyARN)})
	return err
}
