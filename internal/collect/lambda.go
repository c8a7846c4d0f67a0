package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "lambda", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectLambda(ctx, t, lambda.NewFromConfig(t.Config))
	}})
}

// lambdaAPI lists functions (workload detection) and reads their resource
// policies (cross-account trust).
type lambdaAPI interface {
	ListFunctions(context.Context, *lambda.ListFunctionsInput, ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error)
	GetPolicy(context.Context, *lambda.GetPolicyInput, ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
}

func collectLambda(ctx context.Context, t *Task, api lambdaAPI) {
	var fns []snapshot.Function
	err := pages(ctx, lambda.NewListFunctionsPaginator(api, &lambda.ListFunctionsInput{}), func(p *lambda.ListFunctionsOutput) {
		for _, f := range p.Functions {
			fns = append(fns, snapshot.Function{Name: aws.ToString(f.FunctionName), Arn: aws.ToString(f.FunctionArn)})
		}
	})
	if t.Failed("ListFunctions", err) {
		return
	}
	t.Fan(ctx, len(fns), func(ctx context.Context, i int) {
		f := &fns[i]
		out, err := api.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(f.Arn)})
		// A function without a resource policy is ResourceNotFound.
		if awsx.IsNotFound(err) || t.FailedOn("GetPolicy", f.Arn, err) {
			return
		}
		f.Policy = aws.ToString(out.Policy)
	})
	t.Account.Regions[t.Region].Lambda = &snapshot.Lambda{Functions: fns}
}
