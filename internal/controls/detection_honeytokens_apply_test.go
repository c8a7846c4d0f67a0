package controls_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

func TestApplyHoneytokens(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	sec := env.Org.AccountID("security")
	// None declared: apply makes the default one, which the check accepts.
	p := env.Converge(t, "detection.honeytokens")
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Op+" "+c.AccountID+" "+c.Resource)
	}
	user := "arn:aws:iam::" + sec + ":user/baseline-ci-deploy"
	want := []string{"honeytoken-user " + sec + " " + user, "honeytoken-key " + sec + " " + user + "/access-key",
		"honeytoken-rule " + sec + " arn:aws:events:us-east-1:" + sec + ":rule/baseline-honeytoken"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The plan says a key will exist, nothing about it.
	if b, _ := json.Marshal(p.Changes[1].After); string(b) != `{"user":"baseline-ci-deploy"}` {
		t.Errorf("key change after: %s", b)
	}

	// Run again, as after an interrupted apply: still one key, one user.
	env.Apply(t, p)
	api := iam.NewFromConfig(env.Config("security", "us-east-1"))
	keys, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("baseline-ci-deploy")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("access keys %+v %v", keys, err)
	}
	pols, err := api.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("baseline-ci-deploy")})
	if err != nil || len(pols.AttachedPolicies) != 0 {
		t.Fatalf("honeytoken policies %+v %v", pols, err)
	}
	eb := eventbridge.NewFromConfig(env.Config("security", "us-east-1"))
	targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("baseline-honeytoken")})
	if err != nil || len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].Arn) != "arn:aws:sns:us-east-1:"+sec+":baseline-security-alerts" {
		t.Fatalf("targets %+v %v", targets, err)
	}

	// Read-only calls no longer reach the rule: exactly that is repaired.
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("baseline-honeytoken"), State: ebtypes.RuleStateEnabled,
		EventPattern: aws.String(`{"detail":{"userIdentity":{"userName":["baseline-ci-deploy"]}}}`)}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, "detection.honeytokens")
	if len(drift.Changes) != 1 || drift.Changes[0].Action != catalog.Update || drift.Changes[0].Op != "honeytoken-rule" {
		t.Fatalf("drift plan %+v", drift.Changes)
	}
	env.Apply(t, drift)
	if again := env.Plan(t, "detection.honeytokens"); !again.Empty() {
		t.Fatalf("after the repair: %+v", again.Changes)
	}
}

// A declared honeytoken of a workload account gets its key; its alert,
// which would have to cross accounts, is left to a person.
func TestApplyHoneytokensDeclaredElsewhere(t *testing.T) {
	env := applytest.NewOrg(t)
	env.Settings.HoneytokenUsers = []string{"svc-backup-old"}
	workload := env.Org.AccountID("workload")
	if _, err := iam.NewFromConfig(env.Config("workload", "us-east-1")).CreateUser(context.Background(),
		&iam.CreateUserInput{UserName: aws.String("svc-backup-old")}); err != nil {
		t.Fatal(err)
	}
	p := env.Plan(t, "detection.honeytokens")
	user := "arn:aws:iam::" + workload + ":user/svc-backup-old"
	if len(p.Changes) != 1 || p.Changes[0].Op != "honeytoken-key" || p.Changes[0].Resource != user+"/access-key" {
		t.Fatalf("changes %+v", p.Changes)
	}
	if len(p.Blocked) != 1 || p.Blocked[0].Resource != user || !strings.Contains(p.Blocked[0].Reason, "raises no alert") {
		t.Fatalf("blocked %+v", p.Blocked)
	}
}
