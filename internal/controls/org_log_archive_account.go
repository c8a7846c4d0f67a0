package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "org.log-archive-account",
	Title:    "A dedicated log-archive account is designated",
	Stage:    "F1",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.High,
	Rationale: "Logs kept in the account they describe can be deleted by whoever compromises it. A dedicated " +
		"log-archive (\"data bunker\") account that only receives logs, and that almost nobody can sign in to, " +
		"keeps the evidence an investigation needs.",
	Steps: "Create a member account for logs, put it in an OU named log-archive (or Security) and tag it " +
		"category=log-archive, or name it in baseline.yaml organization.log_archive_account.\n" +
		"Console: AWS Organizations > AWS accounts > Add an AWS account; then Tags > category = log-archive.\n" +
		"CLI: aws organizations create-account --account-name log-archive --email <aws+log-archive@example.com>\n" +
		"     aws organizations tag-resource --resource-id <id> --tags Key=category,Value=log-archive",
	Reads: []string{"organizations:DescribeOrganization", "organizations:ListTagsForResource"},
	Knob:  "organization.log_archive_account",
	Check: func(e *catalog.Eval) {
		o := orgOf(e)
		if o == nil {
			return
		}
		logs := designated(e, "log-archive", "organization.log_archive_account")
		switch {
		case logs == nil:
		case logs.AccountID == o.ManagementAccountID:
			e.Fail("", "the management account %s doubles as the log-archive account: designate a dedicated member account", accountLabel(logs))
		case e.Designated("security") == logs:
			e.Fail("", "account %s is both the security and the log-archive account: keep the logs in an account of their own", accountLabel(logs))
		default:
			e.Pass("", "log-archive account %s", accountLabel(logs))
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			// Every failure is a missing or doubtful designation.
			if blockFailing(p) {
				return
			}
			planRoleTag(p, p.Designated("log-archive"))
		},
		Ops: categoryOps,
	},
})
