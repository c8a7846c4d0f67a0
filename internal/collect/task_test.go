package collect

import (
	"context"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/secure-baseline/baseline/internal/sched"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// fakeTask returns a Task for unit tests of a collector against a fake of
// its narrow interface, and the snapshot built from what it recorded.
func fakeTask(t *testing.T, service, region string) (*Task, func() *snapshot.Snapshot) {
	t.Helper()
	acct := &snapshot.Account{AccountID: "111111111111", Name: "fake", Regions: map[string]*snapshot.Region{}}
	if region != "" {
		acct.Regions[region] = &snapshot.Region{}
	}
	rec := &recorder{}
	s := sched.New(context.Background(), 4)
	t.Cleanup(s.Wait)
	task := &Task{Account: acct, Region: region, Service: service, sched: s, rec: rec}
	return task, func() *snapshot.Snapshot {
		return &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CallerAccountID: acct.AccountID,
			Accounts: []*snapshot.Account{acct}, Errors: rec.errs, Regions: []string{region}}
	}
}

// errAccessDenied is what AWS answers when the audit role lacks a permission.
var errAccessDenied error = &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:sts::111111111111:assumed-role/audit/baseline is not authorized"}

func TestFakeTaskRecordsErrors(t *testing.T) {
	task, snap := fakeTask(t, "svc", "us-east-1")
	if !task.Failed("iam:GetThing", errAccessDenied) {
		t.Fatal("Failed returned false for an error")
	}
	if task.Failed("GetOther", nil) {
		t.Fatal("Failed returned true for nil")
	}
	errs := snap().Errors
	if len(errs) != 1 || errs[0].Service != "iam" || errs[0].Operation != "GetThing" || errs[0].Class != "access_denied" {
		t.Fatalf("errors = %+v", errs)
	}
}
