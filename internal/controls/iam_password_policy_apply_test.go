package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

func TestApplyPasswordPolicy(t *testing.T) {
	env := applytest.NewOrg(t)
	// A stricter-than-baseline length is kept, the rest is raised.
	if _, err := iam.NewFromConfig(env.Config("workload", "us-east-1")).UpdateAccountPasswordPolicy(context.Background(),
		&iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	p := env.Converge(t, "iam.password-policy")
	if n := len(p.Changes); n != 5 {
		t.Fatalf("%d changes, want one per account (5)", n)
	}
	work := applytest.Changes(p, env.Org.AccountID("workload"))
	if len(work) != 1 || work[0].Action != "update" {
		t.Fatalf("workload change: %+v", work)
	}
	out, err := iam.NewFromConfig(env.Config("workload", "us-east-1")).GetAccountPasswordPolicy(context.Background(), &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(out.PasswordPolicy.MinimumPasswordLength); got != 20 {
		t.Fatalf("minimum length %d, want the stricter 20 kept", got)
	}
}
