package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.access-analyzer",
	Title:    "IAM Access Analyzer (organization) is enabled in every region",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"2.20"},
	Rationale: "Access Analyzer finds the buckets, keys, roles, queues and snapshots that are shared outside the " +
		"organization, whoever shared them and however. An organization analyzer in the security account watches every " +
		"member's region at once; it is regional, so each region needs one.",
	Steps: "Delegate Access Analyzer to the security account, then in it, in every region:\n" +
		"Console: IAM > Access analyzer > Analyzer settings > Create analyzer > Zone of trust: organization.\n" +
		"CLI: aws accessanalyzer create-analyzer --analyzer-name org --type ORGANIZATION --region <region>\n" +
		"(an account outside the organization: --type ACCOUNT)",
	Reads: []string{"access-analyzer:ListAnalyzers"},
	Knob:  "organization.security_account",
	Check: func(e *catalog.Eval) {
		aa := e.R.AccessAnalyzer
		if aa == nil {
			e.NotCollected("access-analyzer")
			return
		}
		for _, a := range aa.Analyzers {
			if externalAccess(a) {
				e.Pass("", "%s analyzer %s is active", strings.ToLower(a.Type), a.Name)
				return
			}
		}
		if e.InOrg() {
			for _, c := range []struct {
				acct *snapshot.Account
				role string
			}{{e.Designated("security"), "security"}, {e.Management(), "management"}} {
				if c.acct == nil || c.acct == e.Account {
					continue
				}
				if r := c.acct.Regions[e.Region]; r != nil && r.AccessAnalyzer != nil {
					for _, a := range r.AccessAnalyzer.Analyzers {
						if a.Type == "ORGANIZATION" && externalAccess(a) {
							e.Pass("", "covered by organization analyzer %s in the %s account %s", a.Name, c.role, accountLabel(c.acct))
							return
						}
					}
				}
				if err := failedReadIn(e.Snap, c.acct.AccountID, e.Region, "access-analyzer:ListAnalyzers", ""); err != nil {
					e.Errorf("", "no analyzer of its own, and the %s account's analyzers are unknown: %s", c.role, catalog.DescribeReadError(err))
					return
				}
			}
		}
		e.Fail("", "no active external-access analyzer covers %s: create an organization analyzer in the security account "+
			"(or an account analyzer here)", e.Region)
	},
})

// externalAccess reports whether the analyzer is an active external-access
// analyzer (unused-access analyzers answer another question).
func externalAccess(a snapshot.Analyzer) bool {
	return (a.Type == "ACCOUNT" || a.Type == "ORGANIZATION") && a.Status == "ACTIVE"
}
