package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

type denyAccount struct{}

func (denyAccount) GetAlternateContact(context.Context, *account.GetAlternateContactInput, ...func(*account.Options)) (*account.GetAlternateContactOutput, error) {
	return nil, errAccessDenied
}

type denyAliases struct{}

func (denyAliases) ListAccountAliases(context.Context, *iam.ListAccountAliasesInput, ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error) {
	return nil, errAccessDenied
}

func TestAccountCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "account", "")
	collectAccount(context.Background(), task, denyAccount{}, denyAliases{})
	ops := map[string]int{}
	for _, e := range snap().Errors {
		ops[e.Service+":"+e.Operation]++
		if e.Class != "access_denied" {
			t.Errorf("class = %s", e.Class)
		}
	}
	if ops["account:GetAlternateContact"] != 3 || ops["iam:ListAccountAliases"] != 1 {
		t.Fatalf("recorded errors = %v", ops)
	}
}
