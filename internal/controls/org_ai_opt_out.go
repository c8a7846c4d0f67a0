package controls

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "org.ai-opt-out",
	Title:    "An AI-services opt-out policy is attached at the root",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.Medium,
	Rationale: "By default AWS may store and use content processed by its AI services (Rekognition, Transcribe, " +
		"Comprehend, ...) to improve them, and copy it to other regions. An opt-out policy at the root withdraws " +
		"every account, present and future, from that use.",
	Steps: "Enable AI services opt-out policies and attach one opting out all services (`baseline policy show ai-opt-out`).\n" +
		"Console: AWS Organizations > Policies > AI services opt-out policies > Enable, Create policy, then Targets > Attach > Root.\n" +
		"CLI: aws organizations enable-policy-type --root-id <root-id> --policy-type AISERVICES_OPT_OUT_POLICY\n" +
		"     aws organizations create-policy --type AISERVICES_OPT_OUT_POLICY --name ai-opt-out " +
		"--content '{\"services\":{\"default\":{\"opt_out_policy\":{\"@@assign\":\"optOut\",\"@@operators_allowed_for_child_policies\":[\"@@none\"]}}}}'\n" +
		"     aws organizations attach-policy --policy-id <p-id> --target-id <root-id>",
	Reads: orgReads(orgTreeReads, orgPolicyReads),
	Check: func(e *catalog.Eval) {
		o := orgTree(e)
		if o == nil {
			return
		}
		if err := e.FailedOn("organizations:ListPolicies", aiOptOutType); err != nil {
			e.ReadFailed("", err)
			return
		}
		if off := rootsWithout(o, aiOptOutType); len(off) > 0 {
			e.Fail("", "AI services opt-out policies are not enabled on root %s: "+
				"aws organizations enable-policy-type --root-id %s --policy-type %s", strings.Join(off, ", "), off[0], aiOptOutType)
			return
		}
		var others, unread []string
		for i := range o.Policies {
			p := &o.Policies[i]
			if p.Type != aiOptOutType {
				continue
			}
			if err := e.FailedOn("organizations:ListTargetsForPolicy", p.ID); err != nil {
				unread = append(unread, catalog.DescribeReadError(err))
				continue
			}
			if !atRoot(o, p) {
				continue
			}
			if err := e.FailedOn("organizations:DescribePolicy", p.ID); err != nil {
				unread = append(unread, catalog.DescribeReadError(err))
				continue
			}
			optOut, locked, err := optsOutOfAll(p.Content)
			switch {
			case err != nil:
				others = append(others, fmt.Sprintf("%s (%v)", p.Name, err))
			case !optOut:
				others = append(others, p.Name)
			case locked:
				e.Pass("", "AI opt-out policy %s at the root opts every AI service out, and child policies cannot change it", p.Name)
				return
			default:
				e.Pass("", "AI opt-out policy %s at the root opts every AI service out (child policies may still opt in: "+
					"add \"@@operators_allowed_for_child_policies\": [\"@@none\"])", p.Name)
				return
			}
		}
		switch {
		case len(unread) > 0:
			e.Errorf("", "no AI opt-out policy found at the root opting out all services, but %s", listOf(unread))
		case len(others) > 0:
			e.Fail("", "the AI opt-out policies at the root (%s) do not opt out all services: set services.default.opt_out_policy to optOut", listOf(others))
		default:
			e.Fail("", "no AI services opt-out policy is attached at the root")
		}
	},
	Fix: &catalog.Fix{Plan: planAIOptOut, Ops: orgPolicyOps},
})

// aiOptOutContent opts every AI service out and locks child policies out of
// opting back in.
const aiOptOutContent = `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut","@@operators_allowed_for_child_policies":["@@none"]}}}}`

// planAIOptOut sets up the baseline's opt-out policy at the root when no
// policy there opts out already, and keeps it as it should be once it exists.
func planAIOptOut(p *catalog.Planner) {
	o, root := orgRootOf(p)
	if o == nil {
		return
	}
	m := newManagedPolicy(o, root.ID, orgPolicy{Name: aiOptOutPolicy(p.Settings), Type: aiOptOutType,
		Description: "Baseline AI-services opt-out, managed by baseline apply", Content: aiOptOutContent})
	if m.current == nil && len(p.Failing()) == 0 {
		return
	}
	w := p.Here()
	enablePolicyType(w, root, aiOptOutType)
	m.record(w)
}

// atRoot reports whether p is attached to a root of the organization.
func atRoot(o *snapshot.Organization, p *snapshot.Policy) bool {
	return slices.ContainsFunc(o.Roots, func(r snapshot.Root) bool { return slices.Contains(p.Targets, r.ID) })
}

// optsOutOfAll reads an AI-services opt-out policy: whether it opts out the
// "default" service (all of them) and whether child policies are locked out.
func optsOutOfAll(content string) (optOut, locked bool, err error) {
	var doc struct {
		Services map[string]struct {
			OptOut struct {
				Assign   string   `json:"@@assign"`
				Children []string `json:"@@operators_allowed_for_child_policies"`
			} `json:"opt_out_policy"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return false, false, fmt.Errorf("not a valid policy: %w", err)
	}
	d, ok := doc.Services["default"]
	if !ok || !strings.EqualFold(d.OptOut.Assign, "optOut") {
		return false, false, nil
	}
	return true, slices.Equal(d.OptOut.Children, []string{"@@none"}), nil
}
