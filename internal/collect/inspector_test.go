package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	insptypes "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
)

type fakeInspector struct {
	out *inspector2.BatchGetAccountStatusOutput
}

func (f fakeInspector) BatchGetAccountStatus(_ context.Context, in *inspector2.BatchGetAccountStatusInput, _ ...func(*inspector2.Options)) (*inspector2.BatchGetAccountStatusOutput, error) {
	if len(in.AccountIds) != 1 || in.AccountIds[0] != "111111111111" {
		return nil, errAccessDenied
	}
	return f.out, nil
}

func TestInspectorCollector(t *testing.T) {
	on := &insptypes.State{Status: insptypes.StatusEnabled}
	task, _ := fakeTask(t, "inspector2", "us-east-1")
	collectInspector(context.Background(), task, fakeInspector{&inspector2.BatchGetAccountStatusOutput{Accounts: []insptypes.AccountState{{
		AccountId: aws.String("111111111111"), State: on,
		ResourceState: &insptypes.ResourceState{Ec2: on, Ecr: &insptypes.State{Status: insptypes.StatusDisabled}}}}}})
	if in := task.Account.Regions["us-east-1"].Inspector; in.Status != "ENABLED" || !in.Resources["EC2"] || in.Resources["ECR"] {
		t.Fatalf("inspector = %+v", in)
	}

	task, snap := fakeTask(t, "inspector2", "us-east-1")
	collectInspector(context.Background(), task, fakeInspector{&inspector2.BatchGetAccountStatusOutput{FailedAccounts: []insptypes.FailedAccount{{
		AccountId: aws.String("111111111111"), ErrorCode: insptypes.ErrorCodeAccessDenied, ErrorMessage: aws.String("not authorized")}}}})
	if errs := snap().Errors; len(errs) != 1 || errs[0].Class != "access_denied" || task.Account.Regions["us-east-1"].Inspector != nil {
		t.Fatalf("errors = %+v", errs)
	}
}
