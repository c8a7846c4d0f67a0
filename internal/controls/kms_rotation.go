package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
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
})
