package controls_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// loggingControls are the trail family and the controls of the buckets and
// log groups it creates.
var loggingControls = []string{"cloudtrail.org-trail", "cloudtrail.log-validation", "cloudtrail.kms", "cloudtrail.bucket-secured",
	"cloudtrail.cloudwatch-logs", "cloudtrail.s3-data-events", "s3.access-log-bucket", "s3.inventory", "logs.retention"}

func TestApplyTrailFamily(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	mgmt, la := env.Org.AccountID("management"), env.Org.AccountID("log-archive")

	// Left out, cloudtrail.org-trail leaves the others nothing to change.
	waiting := env.Plan(t, "cloudtrail.kms", "cloudtrail.log-validation")
	if !waiting.Empty() || len(waiting.Blocked) != 2 || !strings.Contains(waiting.Blocked[0].Reason, "no organization trail") ||
		waiting.Blocked[0].AccountID != mgmt {
		t.Fatalf("without cloudtrail.org-trail: changes %+v, blocked %+v, want one block per control in the management account",
			waiting.Changes, waiting.Blocked)
	}
	// Without a second region the trail bucket is made unreplicated, and
	// the plan says why.
	single := *env.Settings
	single.ReplicaRegion = ""
	unreplicated, err := plan.Build(env.Collect(t, loggingControls...), plan.Options{Settings: &single, Targets: loggingControls})
	if err != nil {
		t.Fatal(err)
	}
	if len(applytest.Changes(unreplicated, "replica")) != 0 || !slices.ContainsFunc(unreplicated.Blocked, func(b catalog.Blocked) bool {
		return b.Resource == "arn:aws:s3:::baseline-cloudtrail-"+la && strings.Contains(b.Reason, "not replicated")
	}) {
		t.Fatalf("without a replica region: blocked %+v", unreplicated.Blocked)
	}

	p := env.Converge(t, loggingControls...)
	// The trail is created once, with every setting: the other trail
	// controls have nothing of their own to do.
	var trail *catalog.Change
	for i, c := range p.Changes {
		switch {
		case c.Op == "org-trail":
			trail = &p.Changes[i]
		case strings.HasPrefix(c.ControlID, "cloudtrail.") && c.ControlID != "cloudtrail.org-trail":
			t.Errorf("%s planned %s with no trail to change", c.ControlID, c.ID)
		}
	}
	if trail == nil || trail.AccountID != mgmt {
		t.Fatalf("no organization trail planned in the management account: %+v", trail)
	}
	// The trail bucket is in the log-archive account, SSE-KMS, replicated.
	bucket := "baseline-cloudtrail-" + la
	out, err := s3.NewFromConfig(env.Config("log-archive", "us-east-1"), awsx.S3Addressing).GetBucketReplication(ctx,
		&s3.GetBucketReplicationInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if dest := aws.ToString(out.ReplicationConfiguration.Rules[0].Destination.Bucket); dest != "arn:aws:s3:::"+bucket+"-replica" {
		t.Errorf("trail bucket replicates to %s", dest)
	}

	// Drift: validation turned off by hand is the one change planned.
	name := strings.TrimPrefix(trail.Resource, "arn:aws:cloudtrail:us-east-1:"+mgmt+":trail/")
	if _, err := cloudtrail.NewFromConfig(env.Config("management", "us-east-1")).UpdateTrail(ctx,
		&cloudtrail.UpdateTrailInput{Name: aws.String(name), EnableLogFileValidation: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, loggingControls...)
	if len(drift.Changes) != 1 || drift.Changes[0].ControlID != "cloudtrail.log-validation" || drift.Changes[0].Action != catalog.Update {
		t.Fatalf("drift plan: %+v", drift.Changes)
	}
	env.Apply(t, drift)
	if again := env.Plan(t, loggingControls...); !again.Empty() {
		t.Fatalf("still planned after fixing the drift: %+v", again.Changes)
	}
}
