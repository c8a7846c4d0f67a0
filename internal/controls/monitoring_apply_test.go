package controls

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/sigma"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The rules apply makes must alert on every CIS sample the check judges
// alerting by, in every region, and fit EventBridge's default pattern size.
func TestCISRulesSeeEverySample(t *testing.T) {
	rs, err := cisRules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(cisEvents) {
		t.Fatalf("%d rules for %d CIS items", len(rs), len(cisEvents))
	}
	for i, ev := range cisEvents {
		r := rs[i]
		if r.CIS != ev.CIS {
			t.Fatalf("rule %d is for CIS %s, want %s", i, r.CIS, ev.CIS)
		}
		if len(r.Pattern) > 2048 {
			t.Errorf("CIS %s: pattern of %d characters, over EventBridge's default limit of 2048", ev.CIS, len(r.Pattern))
		}
		m, err := compileEventPattern(r.Pattern)
		if err != nil {
			t.Fatalf("CIS %s: %v", ev.CIS, err)
		}
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			a := &alerter{event: m, region: region, state: string(r.State)}
			for j, s := range ev.Samples {
				if !a.sees(s, "111122223333") {
					t.Errorf("CIS %s (%s) in %s: sample %d (%v) is not matched by %s", ev.CIS, ev.Title, region, j, s.Record["eventName"], r.Pattern)
				}
			}
		}
	}
}

// An override stands in for pack rules EventBridge cannot express: it must
// agree with them on the CIS samples and on what they leave out.
func TestCISPatternOverridesAgreeWithThePack(t *testing.T) {
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*sigma.Rule{}
	for _, r := range pack {
		byID[r.ID] = r
	}
	items := map[string][]string{}
	for _, it := range rules.CISMonitoring() {
		items[it.ID] = it.RuleIDs
	}
	for cis, o := range cisPatternOverrides {
		for _, id := range items[cis] {
			if p, ok := rules.EventPattern(byID[id]); ok {
				t.Errorf("CIS %s: pack rule %s now has the pattern %s: drop the override", cis, id, p)
			}
		}
		m, err := compileEventPattern(o.Pattern)
		if err != nil {
			t.Fatal(err)
		}
		a := &alerter{event: m, region: "us-east-1", state: string(o.State)}
		probes := []sampleEvent{
			sample("s3", "HeadBucket", "errorCode", "AccessDenied"),
			sample("logs", "PutLogEvents", "errorCode", "AccessDenied", "sourceIPAddress", "delivery.logs.amazonaws.com"),
			sample("iam", "ListUsers", "errorCode", "AccessDenied", "readOnly", true),
			sample("ec2", "DescribeInstances", "errorCode", "Client.UnauthorizedOperation", "readOnly", true),
			sample("iam", "CreateUser"),
		}
		for _, s := range probes {
			fired := false
			for _, id := range items[cis] {
				if r := byID[id]; r.Correlation == nil && r.Match(&sigma.MapEvent{Fields: s.Record, Raw: []byte(s.Text)}) {
					fired = true
				}
			}
			if got := a.sees(s, "111122223333"); got != fired {
				t.Errorf("CIS %s: %v (errorCode %v): override matches %v, the pack's rules %v", cis, s.Record["eventName"], s.Record["errorCode"], got, fired)
			}
		}
	}
}

// The organization trail's metric filters alert on every CIS item but VPC
// changes (5.14) for every account: the plan adds rules for that item only,
// in each account and region, and leaves the rest to the filters.
func TestPlanCISRulesOnlyForWhatTheOrgTrailMisses(t *testing.T) {
	const mgmt, sec, member = "111111111111", "222222222222", "333333333333"
	topic := "arn:aws:sns:us-east-1:" + mgmt + ":cis"
	var filters []snapshot.MetricFilter
	var alarms []snapshot.Alarm
	for i, ev := range cisEvents {
		if ev.CIS == "5.14" {
			continue
		}
		name := fmt.Sprintf("cis-%d", i)
		filters = append(filters, snapshot.MetricFilter{Name: name, LogGroup: "org-trail", Pattern: ev.Pattern, MetricName: name, MetricNamespace: "CIS"})
		alarms = append(alarms, snapshot.Alarm{Name: name, MetricName: name, Namespace: "CIS", Actions: []string{topic}, Enabled: true})
	}
	logging := true
	account := func(id string) *snapshot.Account {
		a := &snapshot.Account{AccountID: id, Regions: map[string]*snapshot.Region{}}
		for _, r := range []string{"us-east-1", "eu-west-1"} {
			a.Regions[r] = &snapshot.Region{CloudTrail: &snapshot.CloudTrail{}, EventBridge: &snapshot.EventBridge{}, SNS: &snapshot.SNS{}}
		}
		return a
	}
	accounts := []*snapshot.Account{account(mgmt), account(sec), account(member)}
	home := accounts[0].Regions["us-east-1"]
	home.CloudTrail.Trails = []snapshot.Trail{{Name: "org", Arn: "arn:aws:cloudtrail:us-east-1:" + mgmt + ":trail/org", HomeRegion: "us-east-1",
		OwnerAccountID: mgmt, MultiRegion: true, Organization: true, IncludeGlobalEvents: true, Logging: &logging,
		CloudWatchLogsGroup: "arn:aws:logs:us-east-1:" + mgmt + ":log-group:org-trail:*"}}
	home.Logs, home.CloudWatch = &snapshot.Logs{MetricFilters: filters}, &snapshot.CloudWatch{Alarms: alarms}
	s := &catalog.Settings{AllowedRegions: []string{"us-east-1", "eu-west-1"}, SecurityAccount: sec}
	s.Complete()
	accounts[1].Regions["us-east-1"].SNS.Topics = []snapshot.Topic{{Arn: topicARN(s, sec, alertTopic(s))}}
	snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Regions: []string{"us-east-1", "eu-west-1"}, Accounts: accounts,
		Organization: &snapshot.Organization{ID: "o-test", ManagementAccountID: mgmt, Member: true}}
	p, err := plan.Build(snap, plan.Options{Settings: s, Targets: []string{"monitoring.cis-alarms"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Changes {
		got = append(got, fmt.Sprintf("%s %s %s", c.AccountID, c.Region, c.Op))
		if c.Op == "rule" && !strings.HasSuffix(c.Resource, "/baseline-cis-5.14") {
			t.Errorf("rule for an item the filters cover: %s", c.ID)
		}
	}
	slices.Sort(got)
	want := []string{
		mgmt + "  role", mgmt + " eu-west-1 rule", mgmt + " us-east-1 rule",
		member + "  role", member + " eu-west-1 rule", member + " us-east-1 rule",
		sec + "  role", sec + " eu-west-1 rule", sec + " us-east-1 bus-policy", sec + " us-east-1 rule",
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("changes:\n%s\nwant:\n%s (blocked %v)", strings.Join(got, "\n"), strings.Join(want, "\n"), p.Blocked)
	}
}
