package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

type denyLambda struct{}

func (denyLambda) ListFunctions(context.Context, *lambda.ListFunctionsInput, ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	return nil, errAccessDenied
}

func TestLambdaCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "lambda", "us-east-1")
	collectLambda(context.Background(), task, denyLambda{})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"lambda:ListFunctions"}) || snap().Accounts[0].Regions["us-east-1"].Lambda != nil {
		t.Fatalf("recorded %v", got)
	}
}
