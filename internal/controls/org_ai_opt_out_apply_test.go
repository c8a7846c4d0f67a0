package controls_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

func TestApplyAIOptOut(t *testing.T) {
	env := applytest.NewOrg(t)
	p := env.Converge(t, "org.ai-opt-out")
	if n := len(p.Changes); n != 3 {
		t.Fatalf("%d changes, want the policy type enabled, the policy created and attached: %+v", n, p.Changes)
	}
	ctx := context.Background()
	api := organizations.NewFromConfig(env.Config("management", "us-east-1"))
	out, err := api.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(env.Org.RootID),
		Filter: orgtypes.PolicyTypeAiservicesOptOutPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Policies) != 1 || aws.ToString(out.Policies[0].Name) != "baseline-ai-opt-out" {
		t.Fatalf("AI opt-out policies at the root: %+v", out.Policies)
	}
	id := out.Policies[0].Id
	tags, err := api.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != catalog.ManagedTagKey {
		t.Errorf("tags %+v", tags.Tags)
	}

	// Opted back in by hand: the plan restores the content, nothing else.
	if _, err := api.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: id,
		Content: aws.String(`{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}`)}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, "org.ai-opt-out")
	if len(drift.Changes) != 1 || drift.Changes[0].Action != catalog.Update || drift.Changes[0].Resource != "ai-opt-out-policy/baseline-ai-opt-out" {
		t.Fatalf("plan after the edit: %+v", drift.Changes)
	}
	env.Apply(t, drift)
	if p := env.Plan(t, "org.ai-opt-out"); !p.Empty() {
		t.Fatalf("plan after restoring: %+v", p.Changes)
	}
}
