package controls

import (
	"slices"
	"testing"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// A bucket another control creates logs from the start to the access-log
// bucket s3.access-log-bucket creates in its account and region, made
// first, so that s3.access-log-bucket has nothing left to fix after apply.
func TestPlanBucketLogsToTheAccessLogBucket(t *testing.T) {
	const shared = "111111111111"
	s := fixTestSettings()
	s.SharedServicesAccount = shared
	snap := &snapshot.Snapshot{CallerAccountID: shared, Accounts: []*snapshot.Account{{AccountID: shared,
		Global: snapshot.Global{S3: &snapshot.S3{}},
		Regions: map[string]*snapshot.Region{
			"us-east-1": {DynamoDB: &snapshot.DynamoDB{}},
			"eu-west-1": {DynamoDB: &snapshot.DynamoDB{}},
		}}}}
	p := planOn(t, snap, s, "tfstate.backend", "s3.access-log-bucket")
	home := s.HomeRegion
	state := changeOf(t, p, bucketARN(home, tfStateBucket(s, shared)))
	b, err := catalog.Decode[bucketSpec](state.After)
	if err != nil {
		t.Fatal(err)
	}
	logs := accessLogBucket(s, shared, home)
	if b.LogTo != logs || !slices.Contains(state.DependsOn, catalog.Ref(shared, home, bucketARN(home, logs))) {
		t.Fatalf("state bucket logs to %q after %v, want %s first", b.LogTo, state.DependsOn, logs)
	}
	if b.InventoryTo != "" {
		t.Fatalf("state bucket reports its inventory to %q: only the log-archive account's do", b.InventoryTo)
	}
}
