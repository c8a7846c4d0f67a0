package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	insptypes "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "inspector2", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectInspector(ctx, t, inspector2.NewFromConfig(t.Config))
	}})
}

// inspectorAPI is the read-only part of Inspector v2 we call.
type inspectorAPI interface {
	BatchGetAccountStatus(context.Context, *inspector2.BatchGetAccountStatusInput, ...func(*inspector2.Options)) (*inspector2.BatchGetAccountStatusOutput, error)
}

// collectInspector reads the account's Inspector status. The account is
// named explicitly: an empty list means "the caller" to AWS but nothing to
// the emulator.
func collectInspector(ctx context.Context, t *Task, api inspectorAPI) {
	out, err := api.BatchGetAccountStatus(ctx, &inspector2.BatchGetAccountStatusInput{AccountIds: []string{t.Account.AccountID}})
	if t.Failed("BatchGetAccountStatus", err) {
		return
	}
	for _, f := range out.FailedAccounts {
		code := string(f.ErrorCode)
		if f.ErrorCode == insptypes.ErrorCodeAccessDenied {
			code = "AccessDeniedException"
		}
		t.Failed("BatchGetAccountStatus", &smithy.GenericAPIError{Code: code, Message: aws.ToString(f.ErrorMessage)})
		return
	}
	in := &snapshot.Inspector{}
	for _, a := range out.Accounts {
		if a.State != nil {
			in.Status = string(a.State.Status)
		}
		if rs := a.ResourceState; rs != nil {
			in.Resources = map[string]bool{}
			for name, s := range map[string]*insptypes.State{"EC2": rs.Ec2, "ECR": rs.Ecr, "LAMBDA": rs.Lambda, "LAMBDA_CODE": rs.LambdaCode, "CODE_REPOSITORY": rs.CodeRepository} {
				if s != nil {
					in.Resources[name] = s.Status == insptypes.StatusEnabled
				}
			}
		}
	}
	t.Account.Regions[t.Region].Inspector = in
}
