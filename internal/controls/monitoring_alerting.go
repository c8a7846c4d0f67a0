package controls

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The reads behind the alerting model.
var alertingReads = []string{"cloudtrail:DescribeTrails", "logs:DescribeMetricFilters", "cloudwatch:DescribeAlarms",
	"events:ListRules", "events:ListTargetsByRule"}

// alerter is one thing that raises an alert for an account's CloudTrail
// events: a metric filter on a covering trail's log group whose metric has
// an alarm with actions (it sees every region of the trail), or an enabled
// EventBridge rule of the account with targets (it sees its own region).
type alerter struct {
	// what names a metric filter's log group in reasons.
	what    string
	pattern string
	actions []string
	// filter is set for metric filters; event, region and state for rules.
	filter logPattern
	event  eventPattern
	region string
	state  string
}

// sees reports whether the alerter receives the sample event of account.
func (a *alerter) sees(s sampleEvent, account string) bool {
	if a.filter != nil {
		return a.filter(s.Record, s.Text)
	}
	if s.readOnly() && a.state != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
		return false
	}
	return a.event(s.envelope(account, a.region))
}

// alerting is every alerter of an account, and what could not be assessed.
type alerting struct {
	account string
	regions []string
	filters []*alerter
	rules   map[string][]*alerter
	unknown []string
}

// alertingOf gathers the alerters of the evaluated account. It reports
// ERROR and returns nil when the trails were not collected.
func alertingOf(e *catalog.Eval) *alerting {
	trails, ok := coveringTrails(e)
	if !ok {
		return nil
	}
	return alertingFor(e.Snap, e.Account, trails)
}

// alertingFor gathers the alerters of account a covered by trails.
func alertingFor(snap *snapshot.Snapshot, a *snapshot.Account, trails []snapshot.Trail) *alerting {
	al := &alerting{account: a.AccountID, regions: assessedRegions(a), rules: map[string][]*alerter{}}
	seen := map[string]bool{}
	for _, tr := range trails {
		if !tr.MultiRegion || tr.CloudWatchLogsGroup == "" || (tr.Logging != nil && !*tr.Logging) || seen[tr.CloudWatchLogsGroup] {
			continue
		}
		seen[tr.CloudWatchLogsGroup] = true
		al.addFilters(snap, logGroupOf(tr.CloudWatchLogsGroup))
	}
	for _, region := range al.regions {
		al.addRules(snap, a, region)
	}
	if !slices.Contains(al.regions, globalRegion) {
		al.unknown = append(al.unknown, globalRegion+", where EventBridge receives global events (IAM, Organizations, sign-in), was not assessed")
	}
	return al
}

// globalRegion is where EventBridge receives the events of global services.
const globalRegion = "us-east-1"

func (al *alerting) addFilters(snap *snapshot.Snapshot, g logGroupRef) {
	r := regionState(snap, g.account, g.region)
	switch {
	case r == nil:
		al.unknown = append(al.unknown, fmt.Sprintf("the metric filters of log group %s (account %s, %s) were not assessed", g.name, g.account, g.region))
		return
	case r.Logs == nil || r.CloudWatch == nil:
		for _, op := range []string{"logs:DescribeMetricFilters", "cloudwatch:DescribeAlarms"} {
			if err := failedReadIn(snap, g.account, g.region, op, ""); err != nil {
				al.unknown = append(al.unknown, catalog.DescribeReadError(err))
				return
			}
		}
		al.unknown = append(al.unknown, fmt.Sprintf("logs and cloudwatch were not collected in account %s, %s", g.account, g.region))
		return
	}
	for _, f := range r.Logs.MetricFilters {
		if f.LogGroup != g.name {
			continue
		}
		var actions []string
		for _, a := range r.CloudWatch.Alarms {
			if a.MetricName == f.MetricName && a.Namespace == f.MetricNamespace && a.Enabled {
				actions = append(actions, a.Actions...)
			}
		}
		m, err := cachedFilterPattern(f.Pattern)
		if len(actions) == 0 || err != nil {
			continue
		}
		al.filters = append(al.filters, &alerter{what: fmt.Sprintf("metric filters on log group %s of account %s", g.name, g.account),
			pattern: f.Pattern, actions: actions, filter: m})
	}
}

func (al *alerting) addRules(snap *snapshot.Snapshot, a *snapshot.Account, region string) {
	eb := a.Regions[region].EventBridge
	if eb == nil {
		al.unknown = append(al.unknown, "events was not collected in "+region)
		return
	}
	for _, r := range eb.Rules {
		if r.State == "DISABLED" || r.EventPattern == "" {
			continue
		}
		if err := failedReadIn(snap, a.AccountID, region, "events:ListTargetsByRule", r.Arn); err != nil {
			al.unknown = append(al.unknown, catalog.DescribeReadError(err))
			continue
		}
		m, err := cachedEventPattern(r.EventPattern)
		if len(r.Targets) == 0 || err != nil {
			continue
		}
		al.rules[region] = append(al.rules[region], &alerter{pattern: r.EventPattern,
			actions: r.Targets, event: m, region: region, state: r.State})
	}
}

// all returns every alerter.
func (al *alerting) all() []*alerter {
	out := slices.Clone(al.filters)
	for _, region := range al.regions {
		out = append(out, al.rules[region]...)
	}
	return out
}

// missing returns the regions in which some sample of ev raises no alert
// (none when every sample does), and the alerters that saw the samples.
func (al *alerting) missing(ev cisEvent) (regions []string, used []*alerter) {
	need := al.regions
	if ev.Global {
		need = []string{globalRegion}
	}
	gaps := map[string]bool{}
	for _, s := range ev.Samples {
		if a := firstSeeing(al.filters, s, al.account); a != nil {
			used = append(used, a)
			continue
		}
		for _, region := range need {
			if a := firstSeeing(al.rules[region], s, al.account); a != nil {
				used = append(used, a)
			} else {
				gaps[region] = true
			}
		}
	}
	for r := range gaps {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	return regions, used
}

func firstSeeing(as []*alerter, s sampleEvent, account string) *alerter {
	for _, a := range as {
		if a.sees(s, account) {
			return a
		}
	}
	return nil
}

// describe names the alerters for a reason: the log groups whose filters
// alert, then the regions whose rules do.
func describe(used []*alerter) string {
	var groups, regions []string
	for _, a := range used {
		if a.filter != nil {
			groups = append(groups, a.what)
		} else {
			regions = append(regions, a.region)
		}
	}
	slices.Sort(groups)
	slices.Sort(regions)
	parts := slices.Compact(groups)
	if regions = slices.Compact(regions); len(regions) > 0 {
		parts = append(parts, "EventBridge rules in "+strings.Join(regions, ", "))
	}
	return strings.Join(parts, "; ")
}

// Compiled patterns are shared across units: the organization trail's
// filters are evaluated for every member account.
var (
	filterPatterns sync.Map // string → compiledFilter
	eventPatterns  sync.Map // string → compiledEvent
)

type compiledFilter struct {
	m   logPattern
	err error
}

type compiledEvent struct {
	m   eventPattern
	err error
}

func cachedFilterPattern(p string) (logPattern, error) {
	if c, ok := filterPatterns.Load(p); ok {
		return c.(compiledFilter).m, c.(compiledFilter).err
	}
	m, err := compileFilterPattern(p)
	filterPatterns.Store(p, compiledFilter{m, err})
	return m, err
}

func cachedEventPattern(p string) (eventPattern, error) {
	if c, ok := eventPatterns.Load(p); ok {
		return c.(compiledEvent).m, c.(compiledEvent).err
	}
	m, err := compileEventPattern(p)
	eventPatterns.Store(p, compiledEvent{m, err})
	return m, err
}
