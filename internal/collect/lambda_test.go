package collect

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

type denyLambda struct{}

func (denyLambda) ListFunctions(context.Context, *lambda.ListFunctionsInput, ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	return nil, errAccessDenied
}

func (denyLambda) GetPolicy(context.Context, *lambda.GetPolicyInput, ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error) {
	return nil, errAccessDenied
}

// policyLambda has a function with a resource policy (shared), one without
// (private) and one whose policy is denied (denied).
type policyLambda struct{ denyLambda }

func (policyLambda) ListFunctions(context.Context, *lambda.ListFunctionsInput, ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	var fns []lambdatypes.FunctionConfiguration
	for _, n := range []string{"shared", "private", "denied"} {
		fns = append(fns, lambdatypes.FunctionConfiguration{FunctionName: aws.String(n), FunctionArn: aws.String("arn:aws:lambda:us-east-1:111111111111:function:" + n)})
	}
	return &lambda.ListFunctionsOutput{Functions: fns}, nil
}

func (policyLambda) GetPolicy(_ context.Context, in *lambda.GetPolicyInput, _ ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error) {
	switch name := aws.ToString(in.FunctionName); {
	case strings.HasSuffix(name, ":shared"):
		return &lambda.GetPolicyOutput{Policy: aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"lambda:InvokeFunction"}]}`)}, nil
	case strings.HasSuffix(name, ":private"):
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "The resource you requested does not exist."}
	}
	return nil, errAccessDenied
}

func TestLambdaCollectorReadsFunctionPolicies(t *testing.T) {
	task, snap := fakeTask(t, "lambda", "us-east-1")
	collectLambda(context.Background(), task, policyLambda{})
	fns := task.Account.Regions["us-east-1"].Lambda.Functions
	if len(fns) != 3 || fns[0].Policy == "" || fns[1].Policy != "" || fns[2].Policy != "" {
		t.Fatalf("functions = %+v", fns)
	}
	// No policy is data; a denied read is recorded against the function.
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"lambda:GetPolicy " + fns[2].Arn}) {
		t.Fatalf("recorded %v", got)
	}
}

func TestLambdaCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "lambda", "us-east-1")
	collectLambda(context.Background(), task, denyLambda{})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"lambda:ListFunctions"}) || snap().Accounts[0].Regions["us-east-1"].Lambda != nil {
		t.Fatalf("recorded %v", got)
	}
}
