package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

// fakeGuardDuty has one detector whose S3 Protection shows as a legacy data
// source; admin is its administrator, orgErr the answer to the
// organization configuration.
type fakeGuardDuty struct {
	admin   string
	orgErr  error
	orgRead bool
	err     error
}

func (f *fakeGuardDuty) ListDetectors(context.Context, *guardduty.ListDetectorsInput, ...func(*guardduty.Options)) (*guardduty.ListDetectorsOutput, error) {
	return &guardduty.ListDetectorsOutput{DetectorIds: []string{"d1"}}, f.err
}

func (f *fakeGuardDuty) GetDetector(context.Context, *guardduty.GetDetectorInput, ...func(*guardduty.Options)) (*guardduty.GetDetectorOutput, error) {
	return &guardduty.GetDetectorOutput{Status: gdtypes.DetectorStatusEnabled,
		DataSources: &gdtypes.DataSourceConfigurationsResult{S3Logs: &gdtypes.S3LogsConfigurationResult{Status: gdtypes.DataSourceStatusEnabled}},
		Features:    []gdtypes.DetectorFeatureConfigurationResult{{Name: gdtypes.DetectorFeatureResultEksAuditLogs, Status: gdtypes.FeatureStatusDisabled}}}, nil
}

func (f *fakeGuardDuty) GetAdministratorAccount(context.Context, *guardduty.GetAdministratorAccountInput, ...func(*guardduty.Options)) (*guardduty.GetAdministratorAccountOutput, error) {
	if f.admin == "" {
		return &guardduty.GetAdministratorAccountOutput{}, nil
	}
	return &guardduty.GetAdministratorAccountOutput{Administrator: &gdtypes.Administrator{AccountId: aws.String(f.admin), RelationshipStatus: aws.String("Enabled")}}, nil
}

func (f *fakeGuardDuty) DescribeOrganizationConfiguration(context.Context, *guardduty.DescribeOrganizationConfigurationInput, ...func(*guardduty.Options)) (*guardduty.DescribeOrganizationConfigurationOutput, error) {
	f.orgRead = true
	if f.orgErr != nil {
		return nil, f.orgErr
	}
	return &guardduty.DescribeOrganizationConfigurationOutput{AutoEnableOrganizationMembers: gdtypes.AutoEnableMembersAll,
		Features: []gdtypes.OrganizationFeatureConfigurationResult{{Name: gdtypes.OrgFeatureS3DataEvents, AutoEnable: gdtypes.OrgFeatureStatusAll}}}, nil
}

func TestGuardDutyCollector(t *testing.T) {
	notAdmin := &smithy.GenericAPIError{Code: "BadRequestException", Message: "The request is rejected because the current account is not the delegated administrator"}
	for _, c := range []struct {
		name     string
		api      *fakeGuardDuty
		autoOn   bool
		orgRead  bool
		failures int
	}{
		{"member", &fakeGuardDuty{admin: "999999999999"}, false, false, 0},
		{"delegated administrator", &fakeGuardDuty{}, true, true, 0},
		{"standalone", &fakeGuardDuty{orgErr: notAdmin}, false, true, 0},
		{"denied", &fakeGuardDuty{orgErr: errAccessDenied}, false, true, 1},
	} {
		task, snap := fakeTask(t, "guardduty", "us-east-1")
		collectGuardDuty(context.Background(), task, c.api)
		gd := task.Account.Regions["us-east-1"].GuardDuty
		d := gd.Detectors[0]
		if d.Status != "ENABLED" || !d.Features[snapshot.GuardDutyS3] || d.Features["EKS_AUDIT_LOGS"] || gd.AdminAccountID != c.api.admin {
			t.Errorf("%s: %+v", c.name, gd)
		}
		if (gd.OrgAutoEnable == "ALL" && gd.OrgFeatures[snapshot.GuardDutyS3] == "ALL") != c.autoOn || c.api.orgRead != c.orgRead || len(snap().Errors) != c.failures {
			t.Errorf("%s: org config %q %v read=%v errors=%+v", c.name, gd.OrgAutoEnable, gd.OrgFeatures, c.api.orgRead, snap().Errors)
		}
	}
	task, snap := fakeTask(t, "guardduty", "us-east-1")
	collectGuardDuty(context.Background(), task, &fakeGuardDuty{err: errAccessDenied})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "ListDetectors" || task.Account.Regions["us-east-1"].GuardDuty != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
