package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "tags.required",
	Title:    "Resources carry the configured required tags",
	Stage:    "F7",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Low,
	Rationale: "Tags say who owns a resource, what it costs and how sensitive it is: without them an incident " +
		"responder cannot find the owner, costs cannot be allocated, and tag-based backup and access policies " +
		"silently skip the resource.",
	Steps: "List the required tag keys in baseline.yaml (audit.required_tags) and tag every resource, ideally " +
		"from infrastructure code (Terraform default_tags) so new resources are born tagged.\n" +
		"Console: Resource Groups & Tag Editor > Tag Editor > find resources > Manage tags.\n" +
		"CLI: aws resourcegroupstaggingapi tag-resources --resource-arn-list <arn> ... --tags owner=<team>,environment=<env>",
	Reads: []string{"tag:GetResources"},
	Knob:  "audit.required_tags",
	NotApplicable: func(e *catalog.Eval) string {
		if len(e.Settings.RequiredTags) == 0 {
			return "no tags are required (audit.required_tags is empty)"
		}
		return ""
	},
	Check: func(e *catalog.Eval) {
		required := e.Settings.RequiredTags
		t := e.R.Tagging
		if t == nil {
			e.NotCollected("tag")
			return
		}
		failed := 0
		for _, r := range t.Resources {
			var missing []string
			for _, key := range required {
				if _, ok := r.Tags[key]; ok {
					continue
				}
				// Tag keys are case-sensitive: say so when only the case differs.
				for k := range r.Tags {
					if strings.EqualFold(k, key) {
						key = fmt.Sprintf("%s (it has %s)", key, k)
						break
					}
				}
				missing = append(missing, key)
			}
			if len(missing) > 0 {
				failed++
				e.Fail(r.Arn, "missing required tags: %s", strings.Join(missing, ", "))
			}
		}
		switch {
		case len(t.Resources) == 0:
			e.Pass("", "no tagged resource in %s", e.Region)
		case failed == 0:
			e.Pass("", "all %d tagged resources in %s carry %s", len(t.Resources), e.Region, strings.Join(required, ", "))
		}
	},
})
