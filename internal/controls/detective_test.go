package controls_test

import (
	"testing"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
)

// The emulator has no Detective: ERROR naming the operation.
func detectiveMoto(t *testing.T) {
	res := audittest.Audit(t, audittest.Collect(t, collect.Options{Regions: []string{"us-east-1"}, Services: []string{"detective"}}),
		catalog.Defaults(), "detective.enabled")
	audittest.Expect(t, res, "detective.enabled", "*", "", "", catalog.StatusError, "detective:ListGraphs", "not supported by the endpoint")
}

func TestDetectiveInTheSecurityAccount(t *testing.T) {
	security := func(graphs ...string) *snapshot.Snapshot {
		return orgSnapshot(regionAccount("111111111111", "", &snapshot.Region{Detective: &snapshot.Detective{}}),
			regionAccount("333333333333", "security", &snapshot.Region{Detective: &snapshot.Detective{Graphs: graphs}}))
	}
	res := audittest.Audit(t, security("arn:aws:detective:us-east-1:333333333333:graph:1"), catalog.Defaults(), "detective.enabled")
	audittest.Expect(t, res, "detective.enabled", "111111111111", "", "", catalog.StatusPass, "security account 333333333333 (security) has a Detective behavior graph")
	res = audittest.Audit(t, security(), catalog.Defaults(), "detective.enabled")
	audittest.Expect(t, res, "detective.enabled", "111111111111", "", "", catalog.StatusFail, "no Detective behavior graph in us-east-1")
}
