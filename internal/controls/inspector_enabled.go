package controls

import (
	"sort"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "inspector.enabled",
	Title:    "Amazon Inspector scans the account's workloads",
	Stage:    "M4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "Inspector continuously finds known vulnerabilities (CVEs) and unintended network exposure in EC2 " +
		"instances, container images and Lambda functions, so patching is driven by what actually runs.",
	Steps: "Delegate Inspector to the security account, then in it:\n" +
		"Console: Inspector > Settings > Account management > Activate all accounts (EC2, ECR, Lambda scanning), " +
		"and turn on auto-enable for new members.\n" +
		"CLI (per region): aws inspector2 enable --resource-types EC2 ECR LAMBDA [--account-ids <ids>]",
	Reads: []string{"inspector2:BatchGetAccountStatus"},
	Check: func(e *catalog.Eval) {
		in := e.R.Inspector
		if in == nil {
			e.NotCollected("inspector2")
			return
		}
		var on, off []string
		for name, enabled := range in.Resources {
			if enabled {
				on = append(on, name)
			} else {
				off = append(off, name)
			}
		}
		sort.Strings(on)
		sort.Strings(off)
		switch {
		case in.Status == "":
			e.Fail("", "Inspector is not enabled in %s: enable EC2, ECR and Lambda scanning", e.Region)
		case in.Status != "ENABLED":
			e.Fail("", "Inspector is %s in %s: enable EC2, ECR and Lambda scanning", in.Status, e.Region)
		case len(on) == 0:
			e.Fail("", "Inspector is enabled in %s but scans no resource type: enable EC2, ECR and Lambda scanning", e.Region)
		case len(off) > 0:
			e.Pass("", "Inspector scans %s (not %s)", listOf(on), listOf(off))
		default:
			e.Pass("", "Inspector scans %s", listOf(on))
		}
	},
})
