package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"
)

type fakeHub struct{ hubErr, stdErr error }

func (f fakeHub) DescribeHub(context.Context, *securityhub.DescribeHubInput, ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error) {
	if f.hubErr != nil {
		return nil, f.hubErr
	}
	return &securityhub.DescribeHubOutput{HubArn: aws.String("arn:aws:securityhub:us-east-1:111111111111:hub/default")}, nil
}

func (f fakeHub) GetEnabledStandards(context.Context, *securityhub.GetEnabledStandardsInput, ...func(*securityhub.Options)) (*securityhub.GetEnabledStandardsOutput, error) {
	if f.stdErr != nil {
		return nil, f.stdErr
	}
	return &securityhub.GetEnabledStandardsOutput{StandardsSubscriptions: []shtypes.StandardsSubscription{{
		StandardsArn: aws.String("arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"), StandardsStatus: shtypes.StandardsStatusReady}}}, nil
}

func (f fakeHub) GetAdministratorAccount(context.Context, *securityhub.GetAdministratorAccountInput, ...func(*securityhub.Options)) (*securityhub.GetAdministratorAccountOutput, error) {
	return &securityhub.GetAdministratorAccountOutput{Administrator: &shtypes.Invitation{AccountId: aws.String("999999999999")}}, nil
}

func TestSecurityHubCollector(t *testing.T) {
	task, snap := fakeTask(t, "securityhub", "us-east-1")
	collectSecurityHub(context.Background(), task, fakeHub{hubErr: &smithy.GenericAPIError{Code: "InvalidAccessException",
		Message: "Account 111111111111 is not subscribed to AWS Security Hub"}})
	if sh := task.Account.Regions["us-east-1"].SecurityHub; sh == nil || sh.Enabled || len(snap().Errors) != 0 {
		t.Fatalf("not subscribed: %+v %+v", sh, snap().Errors)
	}

	task, _ = fakeTask(t, "securityhub", "us-east-1")
	collectSecurityHub(context.Background(), task, fakeHub{})
	if sh := task.Account.Regions["us-east-1"].SecurityHub; !sh.Enabled || len(sh.Standards) != 1 || sh.Standards[0].Status != "READY" || sh.AdminAccountID != "999999999999" {
		t.Fatalf("enabled: %+v", sh)
	}

	task, snap = fakeTask(t, "securityhub", "us-east-1")
	collectSecurityHub(context.Background(), task, fakeHub{stdErr: errAccessDenied})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "GetEnabledStandards" {
		t.Fatalf("errors = %+v", errs)
	}
	task, snap = fakeTask(t, "securityhub", "us-east-1")
	collectSecurityHub(context.Background(), task, fakeHub{hubErr: errAccessDenied})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Operation != "DescribeHub" || task.Account.Regions["us-east-1"].SecurityHub != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
