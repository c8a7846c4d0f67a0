package controls

import (
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

const (
	requestedRegionKey = "aws:requestedregion"
	// otherRegion stands for every region named nowhere: a deny-list SCP
	// that forgets a region leaves it open.
	otherRegion = "other regions"
	// regionProbeAction is a regional action no allow-list exempts.
	regionProbeAction = "ec2:RunInstances"
)

// globalProbes are calls to global services, which AWS evaluates as made in
// us-east-1: a region rule must exempt them (NotAction) or IAM,
// Organizations, Route 53, CloudFront, STS and Support break wherever
// us-east-1 is not allowed.
var globalProbes = []string{"iam:CreateRole", "organizations:DescribeOrganization", "route53:ChangeResourceRecordSets",
	"cloudfront:CreateDistribution", "sts:AssumeRole", "support:CreateCase"}

var _ = catalog.Register(&catalog.Control{
	ID:       "org.scp.region-allowlist",
	Title:    "An SCP denies the regions outside the allow-list, exempting global services",
	Stage:    "C4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.Medium,
	Rationale: "Regions nobody uses are where attackers mine cryptocurrency and hide resources, because nobody looks " +
		"there. Denying them keeps the estate where monitoring, budgets and data-residency commitments apply.",
	Steps: "Set regions.allowed in baseline.yaml, then attach the region-allowlist SCP to the root " +
		"(`baseline policy show region-allowlist`): Deny with NotAction listing global services (iam:*, organizations:*, " +
		"route53:*, cloudfront:*, sts:*, support:*, ...) and \"Condition\": {\"StringNotEquals\": {\"aws:RequestedRegion\": [<allowed regions>]}}.\n" +
		"Console: AWS Organizations > Policies > Service control policies > Create policy, then Targets > Attach > Root.\n" +
		"CLI: aws organizations create-policy --type SERVICE_CONTROL_POLICY --name region-allowlist --content file://region-allowlist.json\n" +
		"     aws organizations attach-policy --policy-id <p-id> --target-id <root-id>",
	Reads: orgReads(orgTreeReads, orgPolicyReads),
	Knob:  "regions.allowed",
	Check: func(e *catalog.Eval) {
		allowed := e.Settings.AllowedRegions
		if len(allowed) == 0 {
			e.Skip("", "no allow-list to check against: set regions.allowed in baseline.yaml")
			return
		}
		v := scpViewOf(e)
		if v == nil {
			return
		}
		outside := v.guard(regionProbes(e, v, allowed), func(r scpRequest) string { return r.keys[requestedRegionKey] })
		var global []scpRequest
		for _, a := range globalProbes {
			global = append(global, scpRequest{action: a, keys: map[string]string{requestedRegionKey: "us-east-1"}, via: requestedRegionKey})
		}
		var blocked []string
		for _, r := range global {
			if g := v.guard([]scpRequest{r}, actionName); len(g.hows) > 0 {
				blocked = append(blocked, r.action)
			}
		}
		if len(blocked) > 0 && outside.ok() {
			e.Fail("", "the region rule also denies global services (%s), which AWS evaluates in us-east-1: exempt them with NotAction",
				strings.Join(blocked, ", "))
			return
		}
		if outside.ok() {
			outside.notes = append(outside.notes, "global services exempt")
		}
		v.report(e, "every region outside "+strings.Join(allowed, ", "), outside)
	},
	Fix: scpFix,
})

// regionProbes are the requests the allow-list must deny: one per region
// outside it that the snapshot knows of (assessed, named in a condition,
// listed by the account API), and one for every other region.
func regionProbes(e *catalog.Eval, v *scpView, allowed []string) []scpRequest {
	known := map[string]bool{}
	for _, r := range e.Snap.Regions {
		known[r] = true
	}
	for _, a := range e.Snap.Accounts {
		if s := a.Global.Account; s != nil {
			for r := range s.RegionOptStatus {
				known[r] = true
			}
		}
	}
	for _, s := range v.all {
		for _, st := range s.stmts {
			for _, byKey := range st.Condition {
				for k, vals := range byKey {
					if !strings.EqualFold(k, requestedRegionKey) {
						continue
					}
					for _, r := range vals {
						if !strings.ContainsAny(r, "*?") {
							known[r] = true
						}
					}
				}
			}
		}
	}
	probes := []scpRequest{{action: regionProbeAction, keys: map[string]string{requestedRegionKey: otherRegion}}}
	for _, r := range sortedKeys(known) {
		if !slices.Contains(allowed, r) {
			probes = append(probes, scpRequest{action: regionProbeAction, keys: map[string]string{requestedRegionKey: r}})
		}
	}
	return probes
}
