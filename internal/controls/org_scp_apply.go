package controls

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The SCPs apply keeps at the root: one guardrails policy with a statement
// per guardrail, and the region allow-list on its own (its list of global
// services fills half a policy). Two policies rather than one per control
// leave the organization room under the five SCPs AWS allows per target,
// FullAWSAccess included.

const (
	maxSCPSize       = 5120
	maxSCPsPerTarget = 5
	regionControl    = "org.scp.region-allowlist"
)

// guardrailControls share the guardrails policy; the first one enabled plans it.
var guardrailControls = []string{"org.scp-guardrails", "org.scp.deny-leave-org", "org.scp.protect-logging", "org.scp.deny-root",
	"org.scp.protect-s3-public-access-block"}

// scpFix is the fix of every SCP control: each plans its share of the
// policies that planSCPs works out for all of them.
var scpFix = &catalog.Fix{Plan: planSCPs, Ops: orgPolicyOps}

// guardrail is one statement of the guardrails policy.
type guardrail struct {
	sid string
	// controls want the statement: it is written when one of them takes part.
	controls []string
	// probes are the requests those controls' checks expect denied; the
	// statement denies their actions unless it names its own.
	probes  []scpRequest
	actions []string
	// exempt lets the exempt roles through: baseline's apply role changes
	// these services in member accounts (detectors, Block Public Access).
	exempt    bool
	condition iamCondition
}

var guardrails = []guardrail{
	{sid: "DenyLeaveOrganization", controls: []string{"org.scp.deny-leave-org", "org.scp-guardrails"}, probes: leaveOrgRequests},
	{sid: "ProtectSecurityServices", controls: []string{"org.scp.protect-logging", "org.scp-guardrails"}, probes: loggingRequests, exempt: true},
	{sid: "DenyRootUser", controls: []string{"org.scp.deny-root"}, probes: rootRequests, actions: []string{"*"},
		condition: iamCondition{"ArnLike": {"aws:PrincipalArn": []string{"arn:aws:iam::*:root"}}}},
	{sid: "ProtectS3PublicAccessBlock", controls: []string{"org.scp.protect-s3-public-access-block"}, probes: s3PABRequests, exempt: true},
}

// globalServiceActions are exempt from the region rule: AWS evaluates the
// calls of global services (and a few global reads of regional ones) as made
// in us-east-1, so denying that region must not deny them. The list follows
// AWS's documented region-deny example.
var globalServiceActions = []string{
	"a4b:*", "access-analyzer:*", "account:*", "acm:*", "activate:*", "artifact:*", "aws-marketplace-management:*",
	"aws-marketplace:*", "aws-portal:*", "billing:*", "billingconductor:*", "budgets:*", "ce:*", "chatbot:*", "chime:*",
	"cloudfront:*", "cloudtrail:LookupEvents", "compute-optimizer:*", "config:*", "consoleapp:*", "consolidatedbilling:*",
	"cur:*", "datapipeline:GetAccountLimits", "devicefarm:*", "directconnect:*", "ec2:DescribeRegions",
	"ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways", "ecr-public:*", "fms:*", "freetier:*", "globalaccelerator:*",
	"health:*", "iam:*", "importexport:*", "invoicing:*", "iq:*", "kms:*", "license-manager:ListReceivedLicenses",
	"lightsail:Get*", "mobileanalytics:*", "networkmanager:*", "notifications-contacts:*", "notifications:*",
	"organizations:*", "payments:*", "pricing:*", "quicksight:DescribeAccountSubscription", "resource-explorer-2:*",
	"route53-recovery-cluster:*", "route53-recovery-control-config:*", "route53-recovery-readiness:*", "route53:*",
	"route53domains:*", "s3:CreateMultiRegionAccessPoint", "s3:DeleteMultiRegionAccessPoint",
	"s3:DescribeMultiRegionAccessPointOperation", "s3:GetAccountPublicAccessBlock", "s3:GetBucketLocation",
	"s3:GetBucketPolicyStatus", "s3:GetBucketPublicAccessBlock", "s3:GetMultiRegionAccessPoint",
	"s3:GetMultiRegionAccessPointPolicy", "s3:GetMultiRegionAccessPointPolicyStatus", "s3:GetStorageLensConfiguration",
	"s3:GetStorageLensDashboard", "s3:ListAllMyBuckets", "s3:ListMultiRegionAccessPoints",
	"s3:ListStorageLensConfigurations", "s3:PutAccountPublicAccessBlock", "s3:PutMultiRegionAccessPointPolicy",
	"savingsplans:*", "shield:*", "sso:*", "sts:*", "support:*", "supportapp:*", "supportplans:*", "sustainability:*",
	"tag:GetResources", "tax:*", "trustedadvisor:*", "vendor-insights:ListEntitledSecurityProfiles", "waf-regional:*",
	"waf:*", "wafv2:*",
}

func (g guardrail) statement(s *catalog.Settings) iamStatement {
	actions := g.actions
	if actions == nil {
		for _, r := range g.probes {
			actions = append(actions, r.action)
		}
	}
	st := iamStatement{Sid: g.sid, Effect: "Deny", Action: actions, Resource: "*", Condition: g.condition}
	if g.exempt {
		st.Condition = exemptRoles(s)
	}
	return st
}

// lacking reports whether the SCPs of view (nil: SCPs are off) leave some
// request of the guardrail allowed somewhere.
func (g guardrail) lacking(v *scpView) bool { return v == nil || !v.guard(g.probes, actionName).ok() }

func regionStatement(s *catalog.Settings) iamStatement {
	cond := exemptRoles(s)
	if cond == nil {
		cond = iamCondition{}
	}
	cond["StringNotEquals"] = map[string]any{"aws:RequestedRegion": sortedSet(s.AllowedRegions)}
	return iamStatement{Sid: "DenyOutsideAllowedRegions", Effect: "Deny", NotAction: globalServiceActions, Resource: "*", Condition: cond}
}

// exemptRoles is the condition that lets the configured roles (in any
// account) through a Deny.
func exemptRoles(s *catalog.Settings) iamCondition {
	if len(s.ExemptRoles) == 0 {
		return nil
	}
	arns := make([]string, 0, len(s.ExemptRoles))
	for _, r := range sortedSet(s.ExemptRoles) {
		arns = append(arns, "arn:aws:iam::*:role/"+r)
	}
	return iamCondition{"ArnNotLike": {"aws:PrincipalArn": arns}}
}

// sortedSet orders a configured list, so that reordering baseline.yaml is
// not a change.
func sortedSet(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

// scpDocument is a policy of statements (iamStatement or kept json.RawMessage),
// minified: SCP size counts every character.
func scpDocument(stmts []any) string {
	b, err := json.Marshal(struct {
		Version   string
		Statement []any
	}{"2012-10-17", stmts})
	if err != nil {
		panic(err) // plain strings and maps always marshal
	}
	return string(b)
}

// statementsBySid returns a policy's statements by Sid.
func statementsBySid(content string) map[string]json.RawMessage {
	var doc struct{ Statement []json.RawMessage }
	out := map[string]json.RawMessage{}
	if json.Unmarshal([]byte(content), &doc) != nil {
		return out
	}
	for _, raw := range doc.Statement {
		var st struct{ Sid string }
		if json.Unmarshal(raw, &st) == nil && st.Sid != "" {
			out[st.Sid] = raw
		}
	}
	return out
}

// scpSlot is one of the baseline's SCPs and the control that plans it.
type scpSlot struct {
	owner string
	*managedPolicy
}

// planSCPs works out both SCPs and records the changes of those the
// planning control owns. Every SCP control computes the same answer from
// the same snapshot, so that the five-per-target budget and the enabling of
// SCPs are decided once.
func planSCPs(p *catalog.Planner) {
	o, root := orgRootOf(p)
	if o == nil {
		return
	}
	on := slices.Contains(root.EnabledPolicyTypes, scpType)
	// What the other SCPs deny decides what the baseline's must: judged
	// with the baseline's own in the view, a statement edited away or
	// renamed would look unneeded until the next plan.
	var others *scpView
	if on {
		others = newSCPView(p.Eval, withoutSCPs(o, guardrailsPolicy(p.Settings), regionPolicy(p.Settings)))
	}
	var slots []*scpSlot
	for _, s := range []*scpSlot{guardrailSlot(p, o, root.ID, others), regionSlot(p, o, root.ID, others)} {
		if s != nil {
			slots = append(slots, s)
		}
	}
	fitRoot(slots, o, root.ID, on)
	w := p.Here()
	// SCPs are turned on by the owner of the first policy that can be set up.
	if i := slices.IndexFunc(slots, func(s *scpSlot) bool { return s.blocked == "" }); i >= 0 && slots[i].owner == p.Control.ID {
		enablePolicyType(w, root, scpType)
	}
	for _, s := range slots {
		if s.owner == p.Control.ID {
			s.record(w)
		}
	}
}

// withoutSCPs is the organization without the SCPs of these names.
func withoutSCPs(o *snapshot.Organization, names ...string) *snapshot.Organization {
	out := *o
	out.Policies = slices.DeleteFunc(slices.Clone(o.Policies), func(p snapshot.Policy) bool {
		return p.Type == scpType && slices.Contains(names, p.Name)
	})
	return &out
}

// guardrailSlot is the guardrails policy: the statements of the enabled
// controls that other SCPs do not satisfy or that it already holds (kept,
// so that a new SCP elsewhere does not make it churn). A statement of a
// control left out of the plan stays as it is.
func guardrailSlot(p *catalog.Planner, o *snapshot.Organization, root string, v *scpView) *scpSlot {
	i := slices.IndexFunc(guardrailControls, p.Enabled)
	if i < 0 {
		return nil
	}
	m := newManagedPolicy(o, root, orgPolicy{Name: guardrailsPolicy(p.Settings), Type: scpType,
		Description: "Baseline guardrails, managed by baseline apply: change baseline.yaml, not this policy"})
	have := map[string]json.RawMessage{}
	if m.current != nil {
		have = statementsBySid(m.current.Content)
	}
	var stmts []any
	for _, g := range guardrails {
		raw, had := have[g.sid]
		switch enabled := slices.ContainsFunc(g.controls, p.Enabled); {
		case enabled && (had || g.lacking(v)):
			stmts = append(stmts, g.statement(p.Settings))
		case !enabled && had:
			stmts = append(stmts, raw)
		}
	}
	if len(stmts) == 0 {
		return nil
	}
	m.want.Content = scpDocument(stmts)
	m.checkSize("list fewer roles in regions.exempt_roles (a wildcard matches many)")
	return &scpSlot{owner: guardrailControls[i], managedPolicy: m}
}

// regionSlot is the region allow-list policy, unless other SCPs already deny
// every region outside the allow-list and it does not exist.
func regionSlot(p *catalog.Planner, o *snapshot.Organization, root string, v *scpView) *scpSlot {
	if !p.Enabled(regionControl) {
		return nil
	}
	m := newManagedPolicy(o, root, orgPolicy{Name: regionPolicy(p.Settings), Type: scpType,
		Description: "Baseline region allow-list, managed by baseline apply: change baseline.yaml, not this policy"})
	allowed := p.Settings.AllowedRegions
	switch {
	case len(allowed) == 0:
		m.blocked = "no allow-list to enforce: set regions.allowed in baseline.yaml"
	case m.current == nil && v != nil && v.guard(regionProbes(p.Eval, v, allowed), actionName).ok():
		return nil
	default:
		m.want.Content = scpDocument([]any{regionStatement(p.Settings)})
		m.checkSize("list fewer roles in regions.exempt_roles (a wildcard matches many) or fewer regions")
	}
	return &scpSlot{owner: regionControl, managedPolicy: m}
}

func (m *managedPolicy) checkSize(hint string) {
	if n := len(m.want.Content); m.blocked == "" && n > maxSCPSize {
		m.blocked = fmt.Sprintf("SCP %s would be %d characters, more than the %d AWS allows: %s", m.want.Name, n, maxSCPSize, hint)
	}
}

// fitRoot blocks, in slot order, the attachments that would put more SCPs
// on the root than AWS allows per target.
func fitRoot(slots []*scpSlot, o *snapshot.Organization, root string, on bool) {
	// Enabling SCPs attaches FullAWSAccess, and only it, everywhere.
	held := []string{"FullAWSAccess"}
	if on {
		held = nil
		for _, p := range o.Policies {
			if p.Type == scpType && slices.Contains(p.Targets, root) {
				held = append(held, p.Name)
			}
		}
		slices.Sort(held)
	}
	for _, s := range slots {
		if s.blocked != "" || !s.attach() {
			continue
		}
		if len(held) >= maxSCPsPerTarget {
			s.blocked = fmt.Sprintf("the root %s would hold %d SCPs (%s and %s), more than the %d AWS allows per target (FullAWSAccess counts): "+
				"detach or merge one, then plan again", root, len(held)+1, strings.Join(held, ", "), s.want.Name, maxSCPsPerTarget)
			continue
		}
		held = append(held, s.want.Name)
	}
}
