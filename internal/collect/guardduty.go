package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "guardduty", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectGuardDuty(ctx, t, guardduty.NewFromConfig(t.Config))
	}})
}

// guardDutyAPI is the read-only part of GuardDuty we call.
type guardDutyAPI interface {
	ListDetectors(context.Context, *guardduty.ListDetectorsInput, ...func(*guardduty.Options)) (*guardduty.ListDetectorsOutput, error)
	GetDetector(context.Context, *guardduty.GetDetectorInput, ...func(*guardduty.Options)) (*guardduty.GetDetectorOutput, error)
	GetAdministratorAccount(context.Context, *guardduty.GetAdministratorAccountInput, ...func(*guardduty.Options)) (*guardduty.GetAdministratorAccountOutput, error)
	DescribeOrganizationConfiguration(context.Context, *guardduty.DescribeOrganizationConfigurationInput, ...func(*guardduty.Options)) (*guardduty.DescribeOrganizationConfigurationOutput, error)
}

// collectGuardDuty reads the region's detector (a region has at most one),
// its administrator and, in an account without one (the delegated
// administrator is among those), the organization auto-enable configuration.
func collectGuardDuty(ctx context.Context, t *Task, api guardDutyAPI) {
	var ids []string
	p := guardduty.NewListDetectorsPaginator(api, &guardduty.ListDetectorsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if t.Failed("ListDetectors", err) {
			return
		}
		ids = append(ids, page.DetectorIds...)
	}
	gd := &snapshot.GuardDuty{}
	if len(ids) == 0 {
		t.Account.Regions[t.Region].GuardDuty = gd
		return
	}
	gd.Detectors = make([]snapshot.Detector, len(ids))
	t.Fan(ctx, len(ids)+1, func(ctx context.Context, i int) {
		if i < len(ids) {
			gd.Detectors[i] = detector(ctx, t, api, ids[i])
			return
		}
		out, err := api.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: aws.String(ids[0])})
		if !t.Failed("GetAdministratorAccount", err) && out.Administrator != nil && strings.EqualFold(aws.ToString(out.Administrator.RelationshipStatus), "Enabled") {
			gd.AdminAccountID = aws.ToString(out.Administrator.AccountId)
		}
	})
	if gd.AdminAccountID == "" {
		orgConfiguration(ctx, t, api, ids[0], gd)
	}
	t.Account.Regions[t.Region].GuardDuty = gd
}

func detector(ctx context.Context, t *Task, api guardDutyAPI, id string) snapshot.Detector {
	d := snapshot.Detector{ID: id}
	out, err := api.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
	if t.FailedOn("GetDetector", id, err) {
		return d
	}
	d.Status, d.Features = string(out.Status), map[string]bool{}
	// Detectors created before protection plans became features report S3
	// Protection as a data source only.
	if ds := out.DataSources; ds != nil && ds.S3Logs != nil {
		d.Features[snapshot.GuardDutyS3] = ds.S3Logs.Status == gdtypes.DataSourceStatusEnabled
	}
	for _, f := range out.Features {
		d.Features[string(f.Name)] = f.Status == gdtypes.FeatureStatusEnabled
	}
	return d
}

// orgConfiguration reads the organization configuration, which only the
// delegated administrator may: anyone else is refused with BadRequest.
func orgConfiguration(ctx context.Context, t *Task, api guardDutyAPI, id string, gd *snapshot.GuardDuty) {
	out, err := api.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(id)})
	if awsx.Code(err) == "BadRequestException" || t.Failed("DescribeOrganizationConfiguration", err) {
		return
	}
	gd.OrgAutoEnable, gd.OrgFeatures = string(out.AutoEnableOrganizationMembers), map[string]string{}
	if ds := out.DataSources; ds != nil && ds.S3Logs != nil && aws.ToBool(ds.S3Logs.AutoEnable) {
		gd.OrgFeatures[snapshot.GuardDutyS3] = string(out.AutoEnableOrganizationMembers)
	}
	for _, f := range out.Features {
		gd.OrgFeatures[string(f.Name)] = string(f.AutoEnable)
	}
}
