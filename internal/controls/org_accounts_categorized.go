package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "org.accounts-categorized",
	Title:    "Every account is in an OU or tagged with a category",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.Medium,
	CIS:      []string{"2.1.4"},
	Rationale: "Production, development, sandbox, security and log-archive accounts need different guardrails. " +
		"An account left in the root with no category gets the policies of none of them, and nobody can tell " +
		"how sensitive its data is.",
	Steps: "Console: AWS Organizations > AWS accounts > select the account > Actions > Move, choose the OU " +
		"(Prod, Dev, Sandbox, Security, ...); or Tags > Manage tags > category = prod|dev|sandbox|security|log-archive|shared.\n" +
		"CLI: aws organizations move-account --account-id <id> --source-parent-id <root-id> --destination-parent-id <ou-id>\n" +
		"     aws organizations tag-resource --resource-id <id> --tags Key=category,Value=prod",
	Reads: orgReads(orgTreeReads, []string{"organizations:ListTagsForResource"}),
	Check: func(e *catalog.Eval) {
		o := orgTree(e)
		if o == nil {
			return
		}
		var loose, unread []string
		counts := map[string]int{}
		members := activeMembers(o)
		for _, a := range members {
			switch {
			case a.Category != "":
				counts[a.Category]++
			case a.OUPath != "/":
				counts["an OU naming no category"]++
			default:
				loose = append(loose, orgAccountLabel(a))
				if err := e.FailedOn("organizations:ListTagsForResource", a.ID); err != nil {
					unread = append(unread, catalog.DescribeReadError(err))
				}
			}
		}
		gaps := readErrorsOf(e.Snap, "", "organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent")
		switch {
		case len(unread) > 0:
			e.Errorf("", "accounts in the root whose tags could not be read: %s", listOf(unread))
		case len(loose) > 0:
			e.Fail("", "accounts in the root with no category tag: %s; move each into an OU or tag it category=%s",
				listOf(loose), strings.Join(snapshot.Categories, "|"))
		case len(gaps) > 0:
			e.Errorf("", "every account found is categorized, but %s", listOf(gaps))
		case len(members) == 0:
			e.Pass("", "the organization has no member account yet")
		default:
			var parts []string
			for _, c := range append(append([]string{}, snapshot.Categories...), "an OU naming no category") {
				if n := counts[c]; n > 0 {
					parts = append(parts, fmt.Sprintf("%s %d", c, n))
				}
			}
			e.Pass("", "all %d member accounts are in an OU or tagged with a category (%s)", len(members), strings.Join(parts, ", "))
		}
	},
	Fix: &catalog.Fix{Plan: planCategories, Ops: opsOf(categoryOps, ouOps)},
})
