package handbook

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// question is an entry of the FAQ: the questions of the goals seed, each
// answered with prose and the exact commands that answer it.
type question struct {
	id, q  string
	answer func(b *builder) []block
}

var faq = []question{
	{"who-changed", "Who changed the configuration for the load balancer?", (*builder).whoChanged},
	{"iam", "How do I use IAM to secure access to resources?", (*builder).iamAnswer},
	{"audit", "How can I audit my infrastructure?", (*builder).auditAnswer},
	{"cloudtrail", "What are the right ways to set up CloudTrail?", (*builder).cloudtrailAnswer},
	{"sandbox", "How do I give developers freedom to experiment without compromising essential security requirements?", (*builder).sandboxAnswer},
	{"tags", "Why should I use tags, and what tags should I use?", (*builder).tagsAnswer},
}

func (b *builder) faqPage() *page {
	p := &page{path: "faq", title: "FAQ"}
	var toc []inline
	for _, q := range faq {
		toc = append(toc, link("faq#"+q.id, text(q.q)))
	}
	p.add(list{items: toc})
	for _, q := range faq {
		p.add(heading{level: 2, id: q.id, text: text(q.q)})
		p.add(q.answer(b)...)
	}
	return p
}

// commands is a shell block of baseline commands.
func commands(lines ...string) code { return code{lang: "sh", text: strings.Join(lines, "\n")} }

// area is the controls whose id starts with prefix ("iam.").
func (b *builder) area(prefix string) []*catalog.Control {
	var out []*catalog.Control
	for _, c := range b.in.Controls {
		if strings.HasPrefix(c.ID, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// known keeps the ids of controls in the catalog, so that a command never
// names one that is not there; applied keeps only those apply sets up.
func (b *builder) known(ids []string, applied bool) string {
	var out []string
	for _, id := range ids {
		for _, c := range b.in.Controls {
			if c.ID == id && (!applied || c.Fix != nil) {
				out = append(out, id)
			}
		}
	}
	return strings.Join(out, ",")
}

func ids(cs []*catalog.Control) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// controlList links to controls, with their titles.
func controlList(cs []*catalog.Control) list {
	var l list
	for _, c := range cs {
		l.items = append(l.items, cat(controlLink(c.ID), text(": "+c.Title)))
	}
	return l
}

func (b *builder) whoChanged() []block {
	return []block{
		para{text: md("CloudTrail records every API call: who made it, from where, when, and with what parameters. The " +
			"organization trail ([[cloudtrail.org-trail]]) does so for every account and region, and log file validation " +
			"([[cloudtrail.log-validation]]) proves that the record was not edited afterwards.")},
		para{text: md("Index the trail once, then ask. `who-changed` takes a name, an ARN or an id and lists every write " +
			"call that touched the resource, newest first, with the principal, the call and the source address; `activity` " +
			"then shows everything that principal did. The index is Parquet partitioned by account, region and date, " +
			"queried locally with DuckDB in well under a second; at scale the same files and queries run on Athena. AWS " +
			"Config ([[config.recorder]]) keeps the configuration history of the load balancer itself, and its access logs " +
			"([[elb.access-logs]]) the requests it served.")},
		commands(
			"baseline trail ingest s3://org-trail-bucket/AWSLogs/ --since 90d",
			"baseline trail query who-changed my-load-balancer",
			"baseline trail query activity arn:aws:iam::111122223333:role/deploy --since 7d",
			"baseline trail verify s3://org-trail-bucket/AWSLogs/ --since 7d",
			"baseline trail athena ddl --location s3://org-trail-index/",
			"baseline trail query who-changed my-load-balancer --engine athena --athena-output s3://athena-results/",
		),
	}
}

func (b *builder) iamAnswer() []block {
	iam := b.area("iam.")
	return []block{
		para{text: md("Give every person one identity, federated from your identity provider through IAM Identity Center " +
			"([[iam.sso-or-federation]]), and let them reach accounts by assuming roles. Remove IAM users but break-glass " +
			"ones ([[iam.no-iam-users]]), and keep any access key that must exist in one identity account " +
			"([[iam.keys-in-identity-account]]), where its use is easy to watch.")},
		para{text: md("Lock the root user away: MFA, hardware MFA, no access keys, no use ([[iam.root-mfa]], " +
			"[[iam.root-hardware-mfa]], [[iam.root-no-access-keys]], [[iam.root-not-used]]). Grant least privilege: no " +
			"policy allows everything ([[iam.no-full-admin-policies]]), users get permissions through groups and roles " +
			"([[iam.no-inline-or-user-policies]]), and unused roles and credentials go ([[iam.unused-roles]], " +
			"[[iam.unused-credentials]]). Above the accounts, SCPs set limits that no IAM policy can lift " +
			"([[org.scp-guardrails]]), and IAM Access Analyzer reports what is shared outside the organization " +
			"([[iam.access-analyzer]]).")},
		para{text: text("The IAM controls:")},
		controlList(iam),
		commands(
			"baseline audit --org --controls "+b.known(ids(iam), false),
			"baseline plan -f baseline.yaml --target "+b.known(ids(iam), true),
			"baseline controls show iam.no-iam-users",
			"baseline trail query activity arn:aws:iam::111122223333:user/alice --since 30d",
		),
	}
}

func (b *builder) auditAnswer() []block {
	return []block{
		para{text: md("Collect once, read-only, from the management account: `collect` assumes a role in every member " +
			"and reads every enabled region, recording what it saw and what it could not read. Then audit the snapshot as " +
			"often as you like, offline. Every control gives at least one finding per account (or for the organization): " +
			"PASS, FAIL, ERROR naming the permission that was missing, MANUAL until a person attests it, SKIP with the " +
			"reason; and every account gets its [maturity stage](roadmap).")},
		para{text: md("Hand the HTML report to your manager, feed SARIF or Security Hub (ASFF) to your tools, and fail a " +
			"pipeline on high findings. Between audits, AWS Config ([[config.recorder]], [[config.aggregator]]) and Security " +
			"Hub ([[securityhub.enabled]]) keep evaluating, and the [CloudTrail index](faq#who-changed) answers questions " +
			"about the past. `controls permissions` prints the policy the audit role needs.")},
		commands(
			"baseline controls permissions -o audit-policy.json",
			"baseline collect --org -o snapshot.json.gz",
			"baseline audit --snapshot snapshot.json.gz --attestations attestations.yaml -f baseline.yaml",
			"baseline audit --snapshot snapshot.json.gz --format html -o report.html",
			"baseline audit --snapshot snapshot.json.gz --format sarif -o findings.sarif --fail-on high",
			"baseline org --snapshot snapshot.json.gz --format csv -o accounts.csv",
			"baseline docs -o handbook --snapshot snapshot.json.gz --attestations attestations.yaml",
		),
	}
}

func (b *builder) cloudtrailAnswer() []block {
	trail := b.area("cloudtrail.")
	setup := append(ids(trail), "org.scp.protect-logging")
	return []block{
		para{text: md("One organization trail, created from the management account, multi-region and with global service " +
			"events: every account is logged, including those created tomorrow, and no member can stop it " +
			"([[cloudtrail.org-trail]]). Deliver it to a bucket in the log-archive account that is private, versioned and " +
			"access-logged ([[cloudtrail.bucket-secured]]), encrypt it with a customer-managed KMS key " +
			"([[cloudtrail.kms]]), and turn log file validation on so that tampering shows ([[cloudtrail.log-validation]]).")},
		para{text: md("Send it to CloudWatch Logs too, for alarms within minutes ([[cloudtrail.cloudwatch-logs]]), log S3 " +
			"object-level events where data matters ([[cloudtrail.s3-data-events]]), and forbid stopping or deleting it " +
			"with an SCP ([[org.scp.protect-logging]]). Then use it: [alerts](events) on the events that matter, an index " +
			"for questions, and a regular check of the digest chain.")},
		controlList(trail),
		commands(
			"baseline plan -f baseline.yaml --target "+b.known(setup, true),
			"baseline apply -f baseline.yaml --target "+b.known(setup, true),
			"baseline audit --org --controls "+b.known(setup, false),
			"baseline trail verify s3://org-trail-bucket/AWSLogs/ --since 7d",
			"baseline trail watch --queue https://sqs.us-east-1.amazonaws.com/111122223333/trail-events -f baseline.yaml",
		),
	}
}

func (b *builder) sandboxAnswer() []block {
	guardrails := []string{"org.accounts-categorized", "org.scp-guardrails", "org.scp.protect-logging", "org.scp.deny-leave-org",
		"org.scp.deny-root", "org.scp.region-allowlist", "org.scp.protect-s3-public-access-block", "budgets.alarm",
		"budgets.anomaly-detection"}
	return []block{
		para{text: md("Give them accounts of their own rather than permissions in shared ones. A sandbox account, in the " +
			"Sandbox OU ([[org.accounts-categorized]]), can make its developers administrators: what they break stays in " +
			"the account. What must hold everywhere is enforced above the account, by SCPs that its administrators cannot " +
			"change: the trail, Config, GuardDuty and Security Hub cannot be stopped ([[org.scp.protect-logging]]), the " +
			"account cannot leave the organization ([[org.scp.deny-leave-org]]), the root user is unusable " +
			"([[org.scp.deny-root]]), only the allowed regions work ([[org.scp.region-allowlist]]), and S3 Block Public " +
			"Access stays on ([[org.scp.protect-s3-public-access-block]]).")},
		para{text: md("A budget and anomaly detection catch runaway costs ([[budgets.alarm]], [[budgets.anomaly-detection]]), " +
			"and the organization trail and GuardDuty ([[guardduty.enabled]]) see everything done there. Declare the " +
			"sandbox accounts in baseline.yaml:")},
		code{lang: "yaml", text: "organization:\n  accounts:\n    dev-sandbox: {category: sandbox, owner: team-platform, budget_usd: 200}\n" +
			"  ous: {sandbox: Sandbox}"},
		commands(
			"baseline org",
			"baseline plan -f baseline.yaml --target "+b.known(guardrails, true),
			"baseline apply -f baseline.yaml --target "+b.known(guardrails, true),
		),
	}
}

func (b *builder) tagsAnswer() []block {
	required := md("Your baseline.yaml requires no tag yet.")
	if tags := b.in.Settings.RequiredTags; len(tags) > 0 {
		required = md("Your baseline.yaml requires: `" + strings.Join(tags, "`, `") + "`.")
	}
	return []block{
		para{text: md("Tags are how a resource says who owns it, which environment it belongs to, what it costs and how it " +
			"must be handled. Without them an incident responder cannot find the owner of a suspicious instance, the bill " +
			"cannot be split, and everything that selects by tag silently skips the resource: backup plans " +
			"([[backup.plan]]), attribute-based access control, cost allocation.")},
		para{text: cat(md("Start small and enforce it: `owner` (a team, not a person), `environment` (prod, dev, sandbox), "+
			"and what your backups and policies select on (`backup=daily`, say); add `cost-center` or `data-classification` "+
			"when someone will act on them. List them in `audit.required_tags` and [[tags.required]] reports every resource "+
			"missing one. Accounts are tagged too: `category` and `owner` place an account in the [structure](accounts) "+
			"([[org.accounts-categorized]]). What `baseline apply` creates is tagged "),
			mono(catalog.ManagedTagKey+"="+catalog.ManagedTagValue), text(". "), required)},
		code{lang: "yaml", text: "audit:\n  required_tags: [owner, environment]"},
		commands(
			"baseline audit --org -f baseline.yaml --controls tags.required",
			"baseline org --format csv -o accounts.csv",
		),
	}
}
