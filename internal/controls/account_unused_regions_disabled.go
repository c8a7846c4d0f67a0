package controls

import (
	"slices"
	"sort"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "account.unused-regions-disabled",
	Title:    "Only allowed opt-in regions are enabled",
	Stage:    "F1",
	Kind:     catalog.Manual,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Low,
	Rationale: "Every enabled region is one more place to monitor. Opt-in regions (those launched since 2019) stay " +
		"disabled unless someone enables them, so an enabled one nobody uses is pure attack surface.",
	Steps: "Disable the opt-in regions that are not in the allow-list (regions.allowed), then attest it.\n" +
		"Console: Account > AWS Regions > select the region > Disable.\n" +
		"CLI: aws account list-regions --region-opt-status-contains ENABLED\n" +
		"     aws account disable-region --region-name <region>\n" +
		"Attest: add an entry for account.unused-regions-disabled (account id or *) to the attestation file.",
	Reads: []string{"account:ListRegions"},
	Knob:  "regions.allowed",
	Hint: func(e *catalog.Eval) string {
		s := e.Account.Global.Account
		if s == nil || len(s.RegionOptStatus) == 0 {
			return ""
		}
		var extra []string
		for region, status := range s.RegionOptStatus {
			if status == "ENABLED" && len(e.Settings.AllowedRegions) > 0 && !slices.Contains(e.Settings.AllowedRegions, region) {
				extra = append(extra, region)
			}
		}
		if len(extra) == 0 {
			return ""
		}
		sort.Strings(extra)
		return "opt-in regions enabled outside the allow-list: " + strings.Join(extra, ", ")
	},
})
