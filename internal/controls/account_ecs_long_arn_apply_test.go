package controls

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
)

// The emulator has no PutAccountSettingDefault and lists only the settings
// set explicitly: the ECS fix converges against a fake of the account
// defaults instead.

// fakeECSDefaults holds one region's account defaults.
type fakeECSDefaults map[string]string

func (f fakeECSDefaults) PutAccountSettingDefault(_ context.Context, in *ecs.PutAccountSettingDefaultInput, _ ...func(*ecs.Options)) (*ecs.PutAccountSettingDefaultOutput, error) {
	f[string(in.Name)] = aws.ToString(in.Value)
	return &ecs.PutAccountSettingDefaultOutput{}, nil
}

// fixTestSettings are the settings of the fake-backed fix tests.
func fixTestSettings() *catalog.Settings {
	s := &catalog.Settings{AllowedRegions: []string{"us-east-1", "eu-west-1"}, AlertEmails: []string{"security@example.com"}}
	s.Complete()
	return s
}

func TestApplyECSLongARNOnFakes(t *testing.T) {
	const acct = "111111111111"
	regions := map[string]fakeECSDefaults{
		"us-east-1": {"taskLongArnFormat": "enabled", "serviceLongArnFormat": "enabled", "containerInstanceLongArnFormat": "enabled"},
		"eu-west-1": {"taskLongArnFormat": "disabled", "containerInstanceLongArnFormat": "enabled"},
	}
	snap := func() *snapshot.Snapshot {
		a := &snapshot.Account{AccountID: acct, Regions: map[string]*snapshot.Region{}}
		for r, d := range regions {
			a.Regions[r] = &snapshot.Region{ECS: &snapshot.ECS{Settings: map[string]string(d)}}
		}
		return &snapshot.Snapshot{CallerAccountID: acct, Accounts: []*snapshot.Account{a}}
	}
	s := fixTestSettings()
	p := planOn(t, snap(), s, "account.ecs-long-arn")
	if len(p.Changes) != 1 {
		t.Fatalf("changes: %+v, want eu-west-1 only", p.Changes)
	}
	c := p.Changes[0]
	before, _ := catalog.Decode[map[string]string](c.Before)
	after, _ := catalog.Decode[map[string]string](c.After)
	if c.Region != "eu-west-1" || len(before) != 2 || before["taskLongArnFormat"] != "disabled" || before["serviceLongArnFormat"] != "" ||
		len(after) != 2 || after["serviceLongArnFormat"] != "enabled" {
		t.Fatalf("change %s: %v → %v", c.ID, before, after)
	}
	if err := setECSDefaults(context.Background(), regions[c.Region], after); err != nil {
		t.Fatal(err)
	}
	if again := planOn(t, snap(), s, "account.ecs-long-arn"); !again.Empty() {
		t.Fatalf("still planned: %+v", again.Changes)
	}
	res := audittest.Audit(t, snap(), s, "account.ecs-long-arn")
	audittest.Expect(t, res, "account.ecs-long-arn", acct, "", "", catalog.StatusPass)
}
