package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "cloudtrail.org-trail",
	Title:    "A multi-region organization trail is logging, global service events included",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Critical,
	CIS:      []string{"4.1"},
	Rationale: "CloudTrail is the record of who did what. One organization trail, created in the management account, " +
		"logs every region of every member, including accounts created later and regions nobody uses, " +
		"and members cannot stop or change it. Without it an incident cannot be investigated.",
	Steps: "Console (management account): CloudTrail > Trails > Create trail > Enable for all accounts in my organization; " +
		"keep 'multi-region' and management events (read and write) on; deliver to the log-archive bucket.\n" +
		"CLI: aws cloudtrail create-trail --name org-trail --s3-bucket-name <log-archive-bucket> --is-multi-region-trail " +
		"--is-organization-trail --include-global-service-events --enable-log-file-validation --kms-key-id <key-arn>\n" +
		"     aws cloudtrail start-logging --name org-trail",
	Reads: trailReads,
	Check: func(e *catalog.Eval) {
		trails, ok := coveringTrails(e)
		if !ok {
			return
		}
		var problems []string
		unknown := ""
		for _, tr := range mainTrails(e, trails) {
			label := trailLabel(e, &tr)
			switch {
			case !tr.IncludeGlobalEvents:
				problems = append(problems, label+" does not include global service events")
			case tr.Logging == nil:
				unknown = statusUnknown(e, &tr, label)
			case !*tr.Logging:
				problems = append(problems, label+" is not logging: start it")
			case tr.OwnerAccountID != e.Account.AccountID:
				e.Pass("", "covered by %s", label)
				return
			default:
				e.Pass("", "%s is multi-region, logging and includes global service events", label)
				return
			}
		}
		switch {
		case unknown != "":
			e.Errorf("", "%s", unknown)
		case len(problems) > 0:
			e.Fail("", "%s", strings.Join(problems, "; "))
		case !e.InOrg():
			e.Fail("", "no multi-region trail records this account's activity")
		default:
			e.Fail("", "no multi-region organization trail covers this account%s", accountTrailsNote(e, trails))
		}
	},
	Fix: &catalog.Fix{Plan: planOrgTrail, Ops: trailOps},
})

// accountTrailsNote mentions the account's own multi-region trails, which do
// not make up for a missing organization trail.
func accountTrailsNote(e *catalog.Eval, trails []snapshot.Trail) string {
	var names []string
	for _, tr := range trails {
		if tr.MultiRegion && !tr.Organization {
			names = append(names, tr.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " (account trail " + listOf(names) + " is not an organization trail: members can stop it)"
}
