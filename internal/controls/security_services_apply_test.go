package controls_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// securityServices are the regional services apply turns on that the
// emulator can also show turned on.
var securityServices = []string{"config.recorder", "guardduty.enabled", "inspector.enabled"}

func TestApplySecurityServices(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	p := env.Converge(t, securityServices...)
	archive := env.Org.AccountID("log-archive")
	bucket := "baseline-config-" + archive
	if c := applytest.Changes(p, "config.recorder|"+archive+"|us-east-1|arn:aws:s3:::"+bucket+"|bucket"); len(c) != 1 {
		t.Errorf("central Config bucket planned %d times, want once", len(c))
	}
	if n := len(applytest.Changes(p, "config.recorder", "service-linked-role")); n != 5 {
		t.Errorf("%d service-linked roles planned, want one per account", n)
	}

	// Recorders deliver to the central bucket, global types in the home region only.
	for _, region := range applytest.Regions {
		api := configservice.NewFromConfig(env.Config("workload", region))
		recs, err := api.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
		if err != nil || len(recs.ConfigurationRecorders) != 1 {
			t.Fatalf("%s recorders: %+v %v", region, recs, err)
		}
		g := recs.ConfigurationRecorders[0].RecordingGroup
		if !g.AllSupported || g.IncludeGlobalResourceTypes != (region == env.Settings.HomeRegion) {
			t.Errorf("%s recording group: all %v, global %v", region, g.AllSupported, g.IncludeGlobalResourceTypes)
		}
		chans, err := api.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
		if err != nil || len(chans.DeliveryChannels) != 1 || aws.ToString(chans.DeliveryChannels[0].S3BucketName) != bucket {
			t.Errorf("%s delivery channels: %+v %v", region, chans, err)
		}
	}
	pol, err := s3.NewFromConfig(env.Config("log-archive", "us-east-1"), awsx.S3Addressing).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"aws:SourceOrgID":"`+env.Org.ID+`"`) {
		t.Errorf("bucket policy: %v %v", pol, err)
	}

	// Drift: a stopped recorder and a detector without S3 Protection are
	// exactly what the next plan changes.
	sec := env.Config("security", "eu-west-1")
	if _, err := configservice.NewFromConfig(sec).StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{
		ConfigurationRecorderName: aws.String("baseline-config")}); err != nil {
		t.Fatal(err)
	}
	gd := guardduty.NewFromConfig(sec)
	ids, err := gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil || len(ids.DetectorIds) != 1 {
		t.Fatalf("security detectors: %v %v", ids, err)
	}
	if _, err := gd.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(ids.DetectorIds[0]),
		Features: []gdtypes.DetectorFeatureConfiguration{{Name: gdtypes.DetectorFeatureS3DataEvents, Status: gdtypes.FeatureStatusDisabled}}}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, securityServices...)
	secID := env.Org.AccountID("security")
	want := []string{
		"config.recorder|" + secID + "|eu-west-1|config-recorder/baseline-config/status|start",
		"guardduty.enabled|" + secID + "|eu-west-1|guardduty-detector/" + ids.DetectorIds[0] + "|detector",
	}
	if got := changeIDs(drift); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Fatalf("drift plan: %v, want %v", got, want)
	}
	env.Apply(t, drift)
	if again := env.Plan(t, securityServices...); !again.Empty() {
		t.Fatalf("after repairing the drift: %v", changeIDs(again))
	}
}

// Security Hub: moto enables the hub but cannot list its standards
// (GetEnabledStandards), so the audit cannot pass there; the hub op is
// checked on the emulator, the standards path on snapshots and fakes.
func TestApplySecurityHubOnEmulator(t *testing.T) {
	env := applytest.NewOrg(t)
	p := env.Plan(t, "securityhub.enabled")
	if n := len(applytest.Changes(p, "securityhub.enabled", "|hub")); n != 10 {
		t.Fatalf("%d hubs planned, want 5 accounts × 2 regions: %v", n, changeIDs(p))
	}
	env.Apply(t, p)
	for _, region := range applytest.Regions {
		hub, err := securityhub.NewFromConfig(env.Config("workload", region)).DescribeHub(context.Background(), &securityhub.DescribeHubInput{})
		if err != nil || hub.HubArn == nil {
			t.Errorf("%s hub after apply: %v", region, err)
		}
	}
}

func TestPlanSecurityHub(t *testing.T) {
	hub := func(sh *snapshot.SecurityHub) *snapshot.Snapshot {
		return orgSnapshot(regionAccount("222222222222", "prod", &snapshot.Region{SecurityHub: sh}))
	}
	for _, tc := range []struct {
		name string
		sh   *snapshot.SecurityHub
		want string // change id suffix, or the blocked reason
	}{
		{"off", &snapshot.SecurityHub{}, "arn:aws:securityhub:us-east-1:222222222222:hub/default|hub"},
		{"no standard", &snapshot.SecurityHub{Enabled: true, Standards: []snapshot.Standard{{Arn: "arn:x", Status: "FAILED"}}},
			"arn:aws:securityhub:us-east-1:222222222222:hub/default|standard"},
		{"managed", &snapshot.SecurityHub{Enabled: true, AdminAccountID: "333333333333"}, "managed by the delegated administrator 333333333333"},
		{"on", &snapshot.SecurityHub{Enabled: true, Standards: []snapshot.Standard{{Arn: "arn:fsbp", Status: "READY"}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planOf(t, hub(tc.sh), "securityhub.enabled")
			switch {
			case tc.want == "" && (len(p.Changes) > 0 || len(p.Blocked) > 0):
				t.Fatalf("changes %v, blocked %+v", changeIDs(p), p.Blocked)
			case strings.HasSuffix(tc.want, "|hub"), strings.HasSuffix(tc.want, "|standard"):
				if len(p.Changes) != 1 || !strings.HasSuffix(p.Changes[0].ID, tc.want) {
					t.Fatalf("changes %v, want …%s", changeIDs(p), tc.want)
				}
			case tc.want != "":
				if len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0].Reason, tc.want) {
					t.Fatalf("blocked %+v", p.Blocked)
				}
			}
		})
	}
	p := planOf(t, hub(&snapshot.SecurityHub{Enabled: true}), "securityhub.enabled")
	if got := toJSON(t, p.Changes[0].After); got != `{"standards":["arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"]}` {
		t.Fatalf("standard change after: %s", got)
	}
}

// Access Analyzer is absent from the emulator: the plan is checked on
// snapshots (the op on a fake).
func TestPlanAccessAnalyzer(t *testing.T) {
	analyzers := func(as ...snapshot.Analyzer) *snapshot.Region {
		return &snapshot.Region{AccessAnalyzer: &snapshot.AccessAnalyzer{Analyzers: as}}
	}
	mine := snapshot.Analyzer{Name: "mine", Type: "ACCOUNT", Status: "ACTIVE"}
	org := func(sec, prod *snapshot.Region) *snapshot.Snapshot {
		s := orgSnapshot(regionAccount("111111111111", "management", analyzers()),
			regionAccount("333333333333", "security", sec), regionAccount("222222222222", "prod", prod))
		s.Organization.DelegatedAdmins = []snapshot.DelegatedAdmin{{AccountID: "333333333333", ServicePrincipal: "access-analyzer.amazonaws.com"}}
		return s
	}
	const orgAnalyzer = "iam.access-analyzer|333333333333|us-east-1|arn:aws:access-analyzer:us-east-1:333333333333:analyzer/baseline-access-analyzer|analyzer"

	// One organization analyzer in the security account covers everyone.
	p := planOf(t, org(analyzers(), analyzers()), "iam.access-analyzer")
	if ids := changeIDs(p); len(ids) != 1 || ids[0] != orgAnalyzer || len(p.Changes[0].DependsOn) != 0 {
		t.Fatalf("changes %v (deps %v)", ids, p.Changes)
	}
	if got := toJSON(t, p.Changes[0].After); got != `{"name":"baseline-access-analyzer","type":"ORGANIZATION","tags":{"managed-by":"baseline"}}` {
		t.Fatalf("after: %s", got)
	}
	// Not delegated yet: the analyzer waits for org.delegated-admins.
	s := org(analyzers(), analyzers())
	s.Organization.DelegatedAdmins = nil
	p = planOf(t, s, "iam.access-analyzer", "org.delegated-admins")
	c := applytest.Changes(p, "iam.access-analyzer")
	if len(c) != 1 || len(c[0].DependsOn) != 1 || c[0].DependsOn[0] != "111111111111/global/delegated-admin/access-analyzer.amazonaws.com" {
		t.Fatalf("changes %+v", c)
	}
	p = planOf(t, s, "iam.access-analyzer")
	if len(p.Changes) != 0 || len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0].Reason, "not the delegated administrator") {
		t.Fatalf("without org.delegated-admins: changes %v, blocked %+v", changeIDs(p), p.Blocked)
	}
	// Every account has its own analyzer: nothing fails, nothing to do.
	if p := planOf(t, orgWithAll(org(analyzers(), analyzers()), mine), "iam.access-analyzer"); !p.Empty() {
		t.Fatalf("all covered: %v", changeIDs(p))
	}
	// Outside an organization: an account analyzer in each region.
	s = org(analyzers(), analyzers())
	s.Organization = nil
	p = planOf(t, s, "iam.access-analyzer")
	if len(p.Changes) != 3 || !strings.Contains(toJSON(t, p.Changes[0].After), `"type":"ACCOUNT"`) {
		t.Fatalf("standalone: %v", changeIDs(p))
	}
}

// orgWithAll gives every account of s analyzer a.
func orgWithAll(s *snapshot.Snapshot, a snapshot.Analyzer) *snapshot.Snapshot {
	for _, acct := range s.Accounts {
		acct.Regions["us-east-1"].AccessAnalyzer = &snapshot.AccessAnalyzer{Analyzers: []snapshot.Analyzer{a}}
	}
	return s
}

// planOf plans the controls over a hand-built snapshot, with the
// organization's designations of the test settings.
func planOf(t *testing.T, snap *snapshot.Snapshot, ids ...string) *plan.Plan {
	t.Helper()
	s := &catalog.Settings{SecurityAccount: "333333333333", LogArchiveAccount: "444444444444", AllowedRegions: []string{"us-east-1"}}
	s.Complete()
	p, err := plan.Build(snap, plan.Options{Settings: s, Targets: ids})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func changeIDs(p *plan.Plan) []string {
	var ids []string
	for _, c := range p.Changes {
		ids = append(ids, c.ID)
	}
	return ids
}
