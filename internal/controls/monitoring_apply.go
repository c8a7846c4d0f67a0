package controls

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/sigma"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// How apply makes the CIS monitoring events alert: one EventBridge rule per
// CIS item, in each account and region where nothing alerts on that item
// yet (an organization trail's metric filters, someone's own rule). In the
// security account's home region the rules publish to the alert topic;
// everywhere else they forward the events to the default bus there, through
// a role of their account, and that bus's policy lets the organization in. Global
// events (IAM, sign-in, Organizations) reach EventBridge in us-east-1 only,
// so their rules are made there and in the home region.

// cisRule is the rule of one CIS item: what it matches and in which state.
type cisRule struct {
	CIS     string
	Pattern string
	State   ebtypes.RuleState
}

// cisPatternOverrides are the rules of the CIS items none of whose rules in
// the built-in pack EventBridge can express: 5.1's matches errorCode
// wildcards and leaves out two cases with "not". Denied calls are mostly
// reads, which reach only rules that take every management event.
var cisPatternOverrides = map[string]cisRule{
	"5.1": {State: ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents,
		Pattern: `{"detail":{"errorCode":[{"prefix":"AccessDenied"},{"suffix":"UnauthorizedOperation"}],` +
			`"eventName":[{"anything-but":"HeadBucket"}],"sourceIPAddress":[{"anything-but":"delivery.logs.amazonaws.com"}]},` +
			`"detail-type":["AWS API Call via CloudTrail"]}`},
}

// cisRules are the rules of cisEvents, in the same order: the EventBridge
// patterns of the items' rules in the built-in pack (several joined by
// $or), the same rules `trail detect` runs, or the item's override.
var cisRules = sync.OnceValues(func() ([]cisRule, error) {
	pack, err := rules.Builtin()
	if err != nil {
		return nil, err
	}
	byID := map[string]*sigma.Rule{}
	for _, r := range pack {
		byID[r.ID] = r
	}
	items := map[string][]string{}
	for _, it := range rules.CISMonitoring() {
		items[it.ID] = it.RuleIDs
	}
	out := make([]cisRule, len(cisEvents))
	for i, ev := range cisEvents {
		if o, ok := cisPatternOverrides[ev.CIS]; ok {
			o.CIS = ev.CIS
			out[i] = o
			continue
		}
		var alts []any
		for _, id := range items[ev.CIS] {
			if p, ok := rules.EventPattern(byID[id]); ok {
				var alt any
				if err := json.Unmarshal([]byte(p), &alt); err != nil {
					return nil, err
				}
				alts = append(alts, alt)
			}
		}
		var pattern any
		switch len(alts) {
		case 0:
			return nil, fmt.Errorf("CIS %s: no rule of the pack has an EventBridge pattern", ev.CIS)
		case 1:
			pattern = alts[0]
		default:
			pattern = map[string]any{"$or": alts}
		}
		b, err := json.Marshal(pattern)
		if err != nil {
			return nil, err
		}
		out[i] = cisRule{CIS: ev.CIS, Pattern: string(b), State: ebtypes.RuleStateEnabled}
	}
	return out, nil
})

// cisGaps maps an account's CIS items (indexes of cisEvents) to the regions
// where nothing alerts on them.
type cisGaps map[int][]string

// cisGapsOf returns account a's gaps and its alerting.
func cisGapsOf(snap *snapshot.Snapshot, a *snapshot.Account) (cisGaps, *alerting) {
	trails, ok := trailsCovering(snap, a)
	if !ok {
		return nil, nil
	}
	al := alertingFor(snap, a, trails)
	gaps := cisGaps{}
	for i, ev := range cisEvents {
		if regions, _ := al.missing(ev); len(regions) > 0 {
			gaps[i] = regions
		}
	}
	return gaps, al
}

// orgCISGaps returns the gaps of every account that could be read, and the
// security account's alerting.
func orgCISGaps(snap *snapshot.Snapshot, sec *snapshot.Account) (map[string]cisGaps, *alerting) {
	gaps := map[string]cisGaps{}
	var secAlerting *alerting
	for _, a := range snap.Accounts {
		if a.Unreachable == "" {
			g, al := cisGapsOf(snap, a)
			gaps[a.AccountID] = g
			if a == sec {
				secAlerting = al
			}
		}
	}
	return gaps, secAlerting
}

// cisWiring is where the security account receives the forwarded events.
type cisWiring struct {
	s     *catalog.Settings
	sec   *snapshot.Account
	home  string
	rules []cisRule
}

func (w cisWiring) bus() string {
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/default", partitionOf(w.home), w.home, w.sec.AccountID)
}

func (w cisWiring) topic() string { return topicARN(w.s, w.sec.AccountID, alertTopic(w.s)) }

func (w cisWiring) forwarderRole(account string) string {
	return iamRoleARN(w.home, account, alertForwarderRole(w.s))
}

// forwards reports whether rules of account in region forward (every place
// but the security account's home region).
func (w cisWiring) forwards(account, region string) bool {
	return account != w.sec.AccountID || region != w.home
}

// homeItems returns the CIS items the rules of the security account's home
// region must publish: every item with a gap anywhere (forwarded there, or
// missing there), less those its rules there already see.
func (w cisWiring) homeItems(gaps map[string]cisGaps, secAlerting *alerting) []int {
	var out []int
	for i, ev := range cisEvents {
		need := false
		for _, g := range gaps {
			need = need || len(g[i]) > 0
		}
		if need && (secAlerting == nil || !seesAll(secAlerting.rules[w.home], ev, w.sec.AccountID)) {
			out = append(out, i)
		}
	}
	return out
}

// seesAll reports whether every sample of ev reaches one of the rules.
func seesAll(rs []*alerter, ev cisEvent, account string) bool {
	for _, s := range ev.Samples {
		if firstSeeing(rs, s, account) == nil {
			return false
		}
	}
	return true
}

// foreignForwarders reports whether an account other than the security
// account has, or will have, a rule forwarding to the security bus: only
// then does the bus need its policy.
func (w cisWiring) foreignForwarders(snap *snapshot.Snapshot, gaps map[string]cisGaps) bool {
	for _, a := range snap.Accounts {
		if a.AccountID == w.sec.AccountID || a.Unreachable != "" {
			continue
		}
		if len(gaps[a.AccountID]) > 0 || sendsTo(a, "", w.bus()) {
			return true
		}
	}
	return false
}

// sendsTo reports whether a rule of the account whose name has the prefix
// sends events to target.
func sendsTo(a *snapshot.Account, prefix, target string) bool {
	for _, r := range a.Regions {
		if r.EventBridge != nil && slices.ContainsFunc(r.EventBridge.Rules, func(rule snapshot.EventRule) bool {
			return strings.HasPrefix(rule.Name, prefix) && slices.Contains(rule.Targets, target)
		}) {
			return true
		}
	}
	return false
}

// planCISAlarms plans the rules of the unit's account and, for the security
// account, what its home region must add to receive everyone's.
func planCISAlarms(p *catalog.Planner) {
	failing := failures(p)
	if len(p.BlockedItems()) > 0 {
		return // the check could not tell what is missing: nothing is guessed
	}
	sec := p.DesignatedOrBlock("security")
	if sec == nil {
		return
	}
	rs, err := cisRules()
	if err != nil {
		p.Here().Block("", "cannot generate the CIS rules: %v", err)
		return
	}
	w := cisWiring{s: p.Settings, sec: sec, home: p.Settings.HomeRegion, rules: rs}
	switch {
	case sec.Unreachable != "":
		p.Here().Block("", "the security account %s, which receives the alerts, could not be read", accountLabel(sec))
		return
	case sec.Regions[w.home] == nil || sec.Regions[w.home].EventBridge == nil:
		p.Here().Block("", "the rules of the security account's home region %s, which receives the alerts, were not assessed", w.home)
		return
	}
	if p.Account.AccountID != sec.AccountID {
		var gaps cisGaps
		if len(failing) > 0 {
			gaps, _ = cisGapsOf(p.Snap, p.Account)
		}
		planForwarders(p, w, gaps)
		return
	}
	// The security account's home region receives what everyone forwards.
	gaps, secAlerting := orgCISGaps(p.Snap, sec)
	planForwarders(p, w, gaps[sec.AccountID])
	if items := w.homeItems(gaps, secAlerting); len(items) > 0 && alertTopicReady(p, w) {
		for _, i := range items {
			planCISRule(p, w, i, w.home, w.topic(), "", p.At(sec.AccountID, w.home).Ref(w.topic()))
		}
	}
	if w.foreignForwarders(p.Snap, gaps) {
		planBusPolicy(p, w)
	}
}

// alertTopicReady reports whether the alert topic exists or alerts.topic
// will create it; otherwise it blocks the rules that would publish to it.
func alertTopicReady(p *catalog.Planner, w cisWiring) bool {
	if p.Enabled("alerts.topic") {
		return true
	}
	if sns := w.sec.Regions[w.home].SNS; sns != nil && slices.ContainsFunc(sns.Topics, func(t snapshot.Topic) bool { return t.Arn == w.topic() }) {
		return true
	}
	p.At(w.sec.AccountID, w.home).Block(w.topic(), "the security rules publish to the alert topic, which does not exist: enable alerts.topic")
	return false
}

// planForwarders plans the forwarding rules of the unit's account and the
// role they put events with.
func planForwarders(p *catalog.Planner, w cisWiring, gaps cisGaps) {
	acct := p.Account.AccountID
	roleARN := w.forwarderRole(acct)
	deps := []string{catalog.Ref(acct, "", roleARN)}
	if acct != w.sec.AccountID {
		deps = append(deps, catalog.Ref(w.sec.AccountID, w.home, w.bus()))
	}
	planned := false
	for i := range cisEvents {
		for _, region := range gaps[i] {
			if !w.forwards(acct, region) {
				continue
			}
			if p.Account.Regions[region] == nil {
				p.At(acct, region).Block("", "CIS %s needs a rule in %s, which was not assessed", cisEvents[i].CIS, region)
				continue
			}
			planCISRule(p, w, i, region, w.bus(), roleARN, deps...)
			planned = true
		}
	}
	// Roles are not collected: the role is made with the account's first
	// forwarding rules, which wait for it, so a rule that exists says it does.
	if planned && !sendsTo(p.Account, cisRuleName(w.s, ""), w.bus()) {
		planServiceRole(p, acct, forwarderRoleSpec(w, acct))
	}
}

// forwarderRoleSpec lets EventBridge rules of account put events on the
// security account's bus.
func forwarderRoleSpec(w cisWiring, account string) roleSpec {
	return roleSpec{Name: alertForwarderRole(w.s), Service: "events.amazonaws.com", SourceAccount: account,
		Inline: []iamStatement{{Effect: "Allow", Action: "events:PutEvents", Resource: w.bus()}}}
}

// eventRule is a rule of the default bus with the one target apply gives it.
type eventRule struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Pattern     string            `json:"pattern"`
	State       string            `json:"state"`
	Target      string            `json:"target"`
	RoleARN     string            `json:"role_arn,omitempty"`
	Tags        map[string]string `json:"tags"`
}

// planCISRule plans CIS item i's rule in region of the unit's account: a
// creation, or the update of the rule of that name that does not alert.
func planCISRule(p *catalog.Planner, w cisWiring, i int, region, target, role string, deps ...string) {
	acct := p.Account.AccountID
	ev, r := cisEvents[i], w.rules[i]
	name := cisRuleName(w.s, ev.CIS)
	want := eventRule{Name: name, Description: fmt.Sprintf("CIS %s: %s", ev.CIS, ev.Title), Pattern: r.Pattern,
		State: string(r.State), Target: target, RoleARN: role, Tags: catalog.ManagedTags(nil)}
	arn := fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", partitionOf(region), region, acct, name)
	at := p.At(acct, region)
	if eb := p.Account.Regions[region].EventBridge; eb != nil {
		if j := slices.IndexFunc(eb.Rules, func(r snapshot.EventRule) bool { return r.Name == name }); j >= 0 {
			at.Update("rule", arn, eb.Rules[j], want, deps...)
			return
		}
	}
	at.Create("rule", arn, want, deps...)
}

// busPolicy is the statement of the security bus's policy that lets the
// organization put events.
type busPolicy struct {
	Statement iamStatement `json:"statement"`
}

// planBusPolicy adds the organization's statement to the security bus's
// policy when it lacks it.
func planBusPolicy(p *catalog.Planner, w cisWiring) {
	at := p.At(w.sec.AccountID, w.home)
	org := p.Org()
	if org == nil || org.ID == "" {
		at.Block(w.bus(), "the organization is unknown: the security account's bus cannot let its accounts forward events")
		return
	}
	if err := failedReadIn(p.Snap, w.sec.AccountID, w.home, "events:DescribeEventBus", ""); err != nil {
		at.Block(w.bus(), "cannot plan the bus policy: %s", catalog.DescribeReadError(err))
		return
	}
	want := iamStatement{Sid: busPolicySid(w.s), Effect: "Allow", Principal: "*", Action: "events:PutEvents",
		Resource: w.bus(), Condition: iamCondition{"StringEquals": {"aws:PrincipalOrgID": org.ID}}}
	cur := w.sec.Regions[w.home].EventBridge.BusPolicy // collected: planCISAlarms checked
	if hasStatement(cur, want) {
		return
	}
	var before any
	if cur != "" {
		before = cur
	}
	at.Update("bus-policy", w.bus(), before, busPolicy{Statement: want})
}

// ---- Ops --------------------------------------------------------------------

var cisAlarmOps = opsOf(roleOps, map[string]catalog.Op{
	"rule": decodedOp(func(ctx context.Context, cfg aws.Config, r eventRule) error {
		return putEventRule(ctx, eventbridge.NewFromConfig(cfg), r)
	}),
	"bus-policy": decodedOp(func(ctx context.Context, cfg aws.Config, b busPolicy) error {
		return putBusStatement(ctx, eventbridge.NewFromConfig(cfg), b.Statement)
	}),
})

type eventRuleWriter interface {
	PutRule(context.Context, *eventbridge.PutRuleInput, ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
	PutTargets(context.Context, *eventbridge.PutTargetsInput, ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
}

// eventTargetID is the id of the target apply gives its rules; PutTargets
// replaces a target of the same id, so a re-run never adds a second.
const eventTargetID = "baseline"

// putEventRule creates or updates the rule, then its target.
func putEventRule(ctx context.Context, api eventRuleWriter, r eventRule) error {
	in := &eventbridge.PutRuleInput{Name: aws.String(r.Name), Description: aws.String(r.Description),
		EventPattern: aws.String(r.Pattern), State: ebtypes.RuleState(r.State),
		Tags: tagList(r.Tags, func(k, v *string) ebtypes.Tag { return ebtypes.Tag{Key: k, Value: v} })}
	if _, err := api.PutRule(ctx, in); err != nil {
		return err
	}
	target := ebtypes.Target{Id: aws.String(eventTargetID), Arn: aws.String(r.Target)}
	if r.RoleARN != "" {
		target.RoleArn = aws.String(r.RoleARN)
	}
	out, err := api.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(r.Name), Targets: []ebtypes.Target{target}})
	if err != nil {
		return err
	}
	var failed []string
	for _, f := range out.FailedEntries {
		failed = append(failed, aws.ToString(f.ErrorCode)+": "+aws.ToString(f.ErrorMessage))
	}
	if len(failed) > 0 {
		return fmt.Errorf("target %s of rule %s: %s", r.Target, r.Name, strings.Join(failed, "; "))
	}
	return nil
}

type busPolicyWriter interface {
	DescribeEventBus(context.Context, *eventbridge.DescribeEventBusInput, ...func(*eventbridge.Options)) (*eventbridge.DescribeEventBusOutput, error)
	PutPermission(context.Context, *eventbridge.PutPermissionInput, ...func(*eventbridge.Options)) (*eventbridge.PutPermissionOutput, error)
}

// putBusStatement sets the statement in the default bus's policy, keeping
// the other statements.
func putBusStatement(ctx context.Context, api busPolicyWriter, st iamStatement) error {
	out, err := api.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	if err != nil {
		return err
	}
	policy, err := withStatements(aws.ToString(out.Policy), st)
	if err != nil {
		return err
	}
	_, err = api.PutPermission(ctx, &eventbridge.PutPermissionInput{Policy: aws.String(policy)})
	return err
}
