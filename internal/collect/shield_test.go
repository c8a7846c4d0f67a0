package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/shield"
	shieldtypes "github.com/aws/aws-sdk-go-v2/service/shield/types"
)

type fakeShield struct {
	state shieldtypes.SubscriptionState
	err   error
}

func (f fakeShield) GetSubscriptionState(context.Context, *shield.GetSubscriptionStateInput, ...func(*shield.Options)) (*shield.GetSubscriptionStateOutput, error) {
	return &shield.GetSubscriptionStateOutput{SubscriptionState: f.state}, f.err
}

func TestShieldCollector(t *testing.T) {
	task, snap := fakeTask(t, "shield", "")
	collectShield(context.Background(), task, fakeShield{state: shieldtypes.SubscriptionStateActive})
	if s := snap().Accounts[0].Global.Shield; s == nil || !s.Subscribed {
		t.Fatalf("shield = %+v, want subscribed", s)
	}
	task, snap = fakeTask(t, "shield", "")
	collectShield(context.Background(), task, fakeShield{err: errAccessDenied})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"shield:GetSubscriptionState"}) {
		t.Fatalf("recorded %v", got)
	}
}
