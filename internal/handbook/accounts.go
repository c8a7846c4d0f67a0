package handbook

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// role is a kind of account in the organization's structure.
type role struct {
	id, title string
	purpose   string   // one line, for the diagram
	about     string   // the handbook's prose, in md markup
	knob      string   // the baseline.yaml setting that designates it, if any
	category  []string // the account categories it gathers (snapshot.Categories)
	row       int
	column    float64
}

var roles = []role{
	{id: "management", title: "Management", purpose: "Organizations, SCPs, billing", row: 0, column: 1,
		about: "The account that owns the organization: AWS Organizations and its policies, consolidated billing, " +
			"IAM Identity Center. It runs no workloads ([[org.management-no-workloads]]) and few people may sign in to it; " +
			"the organization-wide controls are checked from it."},
	{id: "security", title: "Security", purpose: "delegated admin, alerts, audit role", row: 1, column: 0,
		knob: "organization.security_account", category: []string{"security"},
		about: "Where security is operated: the delegated administrator of GuardDuty, Security Hub, AWS Config and IAM " +
			"Access Analyzer ([[org.delegated-admins]]), the alert topic ([[alerts.topic]]), and the read-only audit role " +
			"every other account trusts ([[iam.audit-role]])."},
	{id: "log-archive", title: "Log archive", purpose: "trail, Config and log buckets", row: 1, column: 1,
		knob: "organization.log_archive_account", category: []string{"log-archive"},
		about: "The data bunker: the organization trail's bucket ([[cloudtrail.bucket-secured]]), AWS Config history and " +
			"the central log pipeline ([[logs.central-pipeline]]) land here, versioned and encrypted; people reach it " +
			"read-only, and only those with a security role."},
	{id: "shared", title: "Shared services", purpose: "deployment tooling, Terraform state", row: 1, column: 2,
		knob: "organization.shared_services_account", category: []string{"shared"},
		about: "Common tooling: the pipelines that deploy into the workload accounts, the Terraform state " +
			"([[tfstate.backend]]), shared artifacts."},
	{id: "workloads", title: "Workloads", purpose: "prod and dev, one per environment", row: 2, column: 1.5,
		category: []string{"prod", "dev"},
		about: "One account per product environment (categories prod and dev), so that a mistake or a breach in one " +
			"stays there. Production gets the strictest policies of its OU."},
	{id: "sandbox", title: "Sandbox", purpose: "experiments, guardrails, budget", row: 2, column: 0.5,
		category: []string{"sandbox"},
		about: "Where engineers experiment freely: broad permissions inside the account, but the organization's " +
			"guardrails still hold ([[org.scp-guardrails]]) and a budget watches the bill ([[budgets.alarm]]). No " +
			"production data lives here."},
}

var roleEdges = []edge{
	{"management", "security", "delegated admin"},
	{"management", "log-archive", "organization trail"},
	{"sandbox", "log-archive", "logs"},
	{"workloads", "log-archive", "logs"},
	{"shared", "workloads", "deploys"},
}

// members are the accounts of the audited organization in a role.
func (b *builder) members(r role) []*snapshot.Account {
	snap := b.in.Snapshot
	if b.live == nil || snap == nil {
		return nil
	}
	if r.id == "management" {
		if a := snap.Account(snap.ManagementAccountID()); a != nil {
			return []*snapshot.Account{a}
		}
		return nil
	}
	if r.knob != "" {
		// A designated role is named after its category: "security", "log-archive", "shared".
		if a := catalog.DesignatedAccount(snap, b.in.Settings, r.category[0]); a != nil {
			return []*snapshot.Account{a}
		}
	}
	var out []*snapshot.Account
	for _, a := range snap.Accounts {
		if slices.Contains(r.category, a.Category) {
			out = append(out, a)
		}
	}
	return out
}

func (b *builder) accountsPage() *page {
	p := &page{path: "accounts", title: "Account structure"}
	p.add(para{text: md("Separate accounts are the strongest boundary AWS offers: a role, a key or a mistake in one account " +
		"cannot reach another unless a policy lets it. The organization is split by purpose, and every account is placed " +
		"in an OU named after its category, or tagged `category`, so that policies can differ ([[org.accounts-categorized]]; " +
		"`organization.ous` in baseline.yaml maps categories to OUs). `baseline org` lists every account with its OU, " +
		"category, owner and contacts.")})
	d := &diagram{title: "Account structure of the organization", edges: roleEdges}
	for _, r := range roles {
		lines := []string{r.purpose}
		if ms := b.members(r); len(ms) > 0 {
			lines = append(lines, clip(accountNames(ms)))
		}
		d.nodes = append(d.nodes, node{id: r.id, title: r.title, lines: lines, row: r.row, column: r.column})
	}
	p.add(figure{d: d})

	for _, r := range roles {
		p.add(heading{level: 2, id: r.id, text: text(r.title)}, para{text: md(r.about)})
		var facts []inline
		if r.knob != "" {
			facts = append(facts, cat(text("Designated by "), mono(r.knob), md(" in baseline.yaml, or by being the only account "+
				"of category `"+r.category[0]+"`.")))
		}
		if len(r.category) > 0 && r.knob == "" {
			facts = append(facts, md("Categories: `"+strings.Join(r.category, "`, `")+"`."))
		}
		if cs := b.roleControls(r); len(cs) > 0 {
			links := make([]inline, len(cs))
			for i, c := range cs {
				links[i] = controlLink(c.ID)
			}
			lead := "Controls that depend on it: "
			if r.id == "management" {
				lead = "Checked from it, once for the organization: "
			}
			facts = append(facts, cat(text(lead), joined(links, ", "), text(".")))
		}
		if b.live != nil {
			facts = append(facts, b.roleMembers(r))
		}
		if len(facts) > 0 {
			p.add(list{items: facts})
		}
	}
	return p
}

// roleControls are the controls that depend on a role: those its setting
// tunes, and for the management account those checked once for the
// organization.
func (b *builder) roleControls(r role) []*catalog.Control {
	var out []*catalog.Control
	for _, c := range b.in.Controls {
		if (r.knob != "" && c.Knob == r.knob) || (r.id == "management" && c.Unit == catalog.PerOrg) {
			out = append(out, c)
		}
	}
	return out
}

// roleMembers says which audited accounts fill a role.
func (b *builder) roleMembers(r role) inline {
	ms := b.members(r)
	if len(ms) == 0 {
		if r.knob != "" {
			return md(fmt.Sprintf("In the audited organization: none is designated. Set `%s`.", r.knob))
		}
		return text("In the audited organization: none.")
	}
	labels := make([]inline, len(ms))
	for i, a := range ms {
		labels[i] = text(b.live.accountLabel(a.AccountID))
	}
	return cat(text("In the audited organization: "), joined(labels, ", "), text("."))
}

// accountNames is "a, b, c and 4 more" for a diagram box.
func accountNames(as []*snapshot.Account) string {
	var names []string
	for _, a := range as {
		names = append(names, cmp.Or(a.Name, a.AccountID))
	}
	if len(names) > 3 {
		names = append(names[:3], fmt.Sprintf("and %d more", len(as)-3))
	}
	return strings.Join(names, ", ")
}
