package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "securityhub.enabled",
	Title:    "Security Hub is on in every enabled region, with a security standard",
	Stage:    "M4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "Security Hub gathers GuardDuty, Inspector, Access Analyzer and Config findings in one place and runs " +
		"the AWS Foundational Security Best Practices checks continuously, between two audits. Without an enabled " +
		"standard it checks nothing itself.",
	Steps: "Delegate Security Hub to the security account, then in it:\n" +
		"Console: Security Hub > Configuration > Central configuration: a policy enabling Security Hub and AWS Foundational " +
		"Security Best Practices in all accounts and regions.\n" +
		"CLI (a single account, per region): aws securityhub enable-security-hub --enable-default-standards",
	Reads: []string{"securityhub:DescribeHub", "securityhub:GetEnabledStandards"},
	Check: func(e *catalog.Eval) {
		sh := e.R.SecurityHub
		if sh == nil {
			e.NotCollected("securityhub")
			return
		}
		if !sh.Enabled {
			e.Fail("", "Security Hub is not enabled in %s", e.Region)
			return
		}
		var names []string
		for _, s := range sh.Standards {
			if s.Status != "FAILED" && s.Status != "DELETING" {
				names = append(names, standardName(s.Arn))
			}
		}
		if len(names) == 0 {
			e.Fail("", "Security Hub is enabled in %s but runs no security standard: enable AWS Foundational Security Best Practices", e.Region)
			return
		}
		managed := ""
		if sh.AdminAccountID != "" {
			managed = " (managed by the delegated administrator " + sh.AdminAccountID + ")"
		}
		e.Pass("", "Security Hub is enabled with %s%s", listOf(names), managed)
	},
})

// standardName shortens a standard ARN
// (arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0)
// to its name and version.
func standardName(arn string) string {
	_, _, _, res, ok := arnFields(arn)
	if !ok {
		return arn
	}
	if _, name, found := strings.Cut(res, "/"); found {
		return name
	}
	return res
}
