package controls

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "guardduty.enabled",
	Title:    "GuardDuty is on in every enabled region, with S3 Protection",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.High,
	Rationale: "GuardDuty reads CloudTrail, VPC flow and DNS logs for known attack patterns (leaked keys used from " +
		"abroad, crypto-mining, reconnaissance) without agents. Attackers favour the regions nobody watches, so every " +
		"enabled region needs it; S3 Protection adds the object-level signals of data theft.",
	Steps: "Delegate GuardDuty to the security account, then in it, in every region:\n" +
		"Console: GuardDuty > Settings > Accounts > Auto-enable: all accounts; Protection plans > S3 Protection: enable for all accounts.\n" +
		"CLI: aws guardduty update-organization-configuration --detector-id <id> --auto-enable-organization-members ALL " +
		"--features Name=S3_DATA_EVENTS,AutoEnable=ALL\n" +
		"(a single account: aws guardduty create-detector --enable --features Name=S3_DATA_EVENTS,Status=ENABLED)",
	Reads: []string{"guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:GetAdministratorAccount"},
	Check: func(e *catalog.Eval) {
		gd := e.R.GuardDuty
		if gd == nil {
			e.NotCollected("guardduty")
			return
		}
		if len(gd.Detectors) == 0 {
			guardDutyByOrg(e)
			return
		}
		d := gd.Detectors[0]
		managed := ""
		if gd.AdminAccountID != "" {
			managed = " (managed by the delegated administrator " + gd.AdminAccountID + ")"
		}
		switch err := e.FailedOn("guardduty:GetDetector", d.ID); {
		case err != nil:
			e.ReadFailed("", err)
		case d.Status != "ENABLED":
			e.Fail("", "detector %s is %s: enable it", d.ID, d.Status)
		case !d.Features[snapshot.GuardDutyS3]:
			e.Fail("", "detector %s is enabled but S3 Protection is off%s: enable the %s protection plan", d.ID, managed, snapshot.GuardDutyS3)
		default:
			e.Pass("", "detector %s is enabled with S3 Protection%s", d.ID, managed)
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			gd := p.R.GuardDuty
			if gd == nil {
				p.NotCollected("guardduty")
				return
			}
			if len(failures(p)) == 0 {
				return
			}
			want := detectorSpec{Status: "ENABLED", S3Protection: true, Tags: catalog.ManagedTags(nil)}
			if len(gd.Detectors) == 0 {
				p.Here().Create("detector", "guardduty-detector", want)
				return
			}
			d := gd.Detectors[0]
			if gd.AdminAccountID != "" {
				p.Here().Block("guardduty-detector/"+d.ID, "detector %s is managed by the delegated administrator %s: "+
					"enable it with S3 Protection from there", d.ID, gd.AdminAccountID)
				return
			}
			want.ID, want.Tags = d.ID, nil
			p.Here().Update("detector", "guardduty-detector/"+d.ID, detectorSpec{ID: d.ID, Status: d.Status, S3Protection: d.Features[snapshot.GuardDutyS3]}, want)
		},
		Ops: map[string]catalog.Op{"detector": decodedOp(func(ctx context.Context, cfg aws.Config, d detectorSpec) error {
			return enableDetector(ctx, guardduty.NewFromConfig(cfg), d)
		})},
	},
})

// detectorSpec is a GuardDuty detector; ID is "" for one apply creates.
type detectorSpec struct {
	ID           string            `json:"id,omitempty"`
	Status       string            `json:"status"`
	S3Protection bool              `json:"s3_protection"`
	Tags         map[string]string `json:"tags,omitempty"`
}

type detectorWriter interface {
	ListDetectors(context.Context, *guardduty.ListDetectorsInput, ...func(*guardduty.Options)) (*guardduty.ListDetectorsOutput, error)
	CreateDetector(context.Context, *guardduty.CreateDetectorInput, ...func(*guardduty.Options)) (*guardduty.CreateDetectorOutput, error)
	UpdateDetector(context.Context, *guardduty.UpdateDetectorInput, ...func(*guardduty.Options)) (*guardduty.UpdateDetectorOutput, error)
}

// enableDetector turns the region's detector on with S3 Protection,
// creating it when the region has none (a region holds at most one, so the
// lookup makes a re-run update what the first run created).
func enableDetector(ctx context.Context, api detectorWriter, d detectorSpec) error {
	s3 := []gdtypes.DetectorFeatureConfiguration{{Name: gdtypes.DetectorFeatureS3DataEvents, Status: gdtypes.FeatureStatusEnabled}}
	if d.ID == "" {
		out, err := api.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
		if err != nil {
			return err
		}
		if len(out.DetectorIds) == 0 {
			_, err := api.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), Features: s3, Tags: d.Tags})
			return err
		}
		d.ID = out.DetectorIds[0]
	}
	_, err := api.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(d.ID), Enable: aws.Bool(true), Features: s3})
	if err != nil {
		return fmt.Errorf("detector %s: %w", d.ID, err)
	}
	return nil
}

// guardDutyByOrg judges a region without a detector: the delegated
// administrator's organization auto-enable for all members (ALL) counts,
// GuardDuty then creates the detector itself.
func guardDutyByOrg(e *catalog.Eval) {
	if !e.InOrg() {
		e.Fail("", "no GuardDuty detector in %s", e.Region)
		return
	}
	admin, gd := guardDutyAdmin(e)
	switch {
	case admin == nil:
		if err := adminConfigUnread(e); err != nil {
			e.Errorf("", "no GuardDuty detector in %s, and the delegated administrator's auto-enable setting is unknown: %s",
				e.Region, catalog.DescribeReadError(err))
			return
		}
		e.Fail("", "no GuardDuty detector in %s", e.Region)
	case gd.OrgAutoEnable != "ALL":
		e.Fail("", "no GuardDuty detector in %s, and the delegated administrator %s auto-enables %s members only: set auto-enable to ALL",
			e.Region, accountLabel(admin), gd.OrgAutoEnable)
	case gd.OrgFeatures[snapshot.GuardDutyS3] != "ALL":
		e.Fail("", "the delegated administrator %s auto-enables GuardDuty for all members but not S3 Protection: set %s auto-enable to ALL",
			accountLabel(admin), snapshot.GuardDutyS3)
	default:
		e.Pass("", "covered by organization auto-enable (ALL, S3 Protection included) from the delegated administrator %s", accountLabel(admin))
	}
}

// guardDutyAdmin finds the region's GuardDuty delegated administrator: the
// one account whose organization configuration could be read.
func guardDutyAdmin(e *catalog.Eval) (*snapshot.Account, *snapshot.GuardDuty) {
	for _, a := range e.Snap.Accounts {
		if r := a.Regions[e.Region]; a != e.Account && r != nil && r.GuardDuty != nil && r.GuardDuty.OrgAutoEnable != "" {
			return a, r.GuardDuty
		}
	}
	return nil, nil
}

// adminConfigUnread returns the failed read of the organization
// configuration in the registered GuardDuty delegated administrator, if any.
func adminConfigUnread(e *catalog.Eval) *snapshot.Error {
	for _, d := range e.Org().DelegatedAdmins {
		if d.ServicePrincipal == "guardduty.amazonaws.com" {
			return failedReadIn(e.Snap, d.AccountID, e.Region, "guardduty:DescribeOrganizationConfiguration", "")
		}
	}
	return nil
}
