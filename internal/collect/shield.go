package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/shield"
	shieldtypes "github.com/aws/aws-sdk-go-v2/service/shield/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "shield", Run: func(ctx context.Context, t *Task) {
		// Shield Advanced is served from us-east-1 only, whatever the home region.
		collectShield(ctx, t, shield.NewFromConfig(t.RegionOf("us-east-1")))
	}})
}

// shieldAPI reads whether the account subscribes to Shield Advanced.
type shieldAPI interface {
	GetSubscriptionState(context.Context, *shield.GetSubscriptionStateInput, ...func(*shield.Options)) (*shield.GetSubscriptionStateOutput, error)
}

func collectShield(ctx context.Context, t *Task, api shieldAPI) {
	out, err := api.GetSubscriptionState(ctx, &shield.GetSubscriptionStateInput{})
	if t.Failed("GetSubscriptionState", err) {
		return
	}
	t.Account.Global.Shield = &snapshot.Shield{Subscribed: out.SubscriptionState == shieldtypes.SubscriptionStateActive}
}
