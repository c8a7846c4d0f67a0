package config

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Role is an account with a part in the baseline that init recognises.
type Role struct {
	Key      string // baseline.yaml key under organization
	Category string // snapshot category that marks it
	Words    []string
}

// Roles are the accounts init looks for.
var Roles = []Role{
	{Key: "security_account", Category: "security", Words: []string{"security", "audit", "secops"}},
	{Key: "log_archive_account", Category: "log-archive", Words: []string{"log-archive", "logarchive", "logs", "logging", "log"}},
	{Key: "shared_services_account", Category: "shared", Words: []string{"shared-services", "shared", "infrastructure", "infra", "network"}},
}

// Candidates returns the accounts that could hold role: those whose
// category says so, else those whose name does.
func (r Role) Candidates(snap *snapshot.Snapshot) []*snapshot.Account {
	var byCat, byName []*snapshot.Account
	for _, a := range snap.Accounts {
		if a.Category == r.Category {
			byCat = append(byCat, a)
			continue
		}
		name := strings.ToLower(a.Name)
		for _, w := range r.Words {
			if name == w || strings.Contains(name, w) {
				byName = append(byName, a)
				break
			}
		}
	}
	if len(byCat) > 0 {
		return byCat
	}
	return byName
}

// InitOptions are what `baseline init` knows beyond the organization.
type InitOptions struct {
	Regions []string
	Now     time.Time
	// Chosen holds the answers given for roles init could not decide
	// (Role.Key → account id).
	Chosen map[string]string
}

// Generate writes a commented starting baseline.yaml for the organization in
// snap. Roles with one candidate are filled in, with the reason in a comment;
// the others are left as TODO comments listing the candidates, and returned
// as questions.
func Generate(snap *snapshot.Snapshot, opts InitOptions) (out []byte, todo []string) {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	org := "(no organization)"
	if snap.Organization != nil {
		org = snap.Organization.ID
	}
	w("# baseline.yaml: the desired state of the organization %s.\n", org)
	w("# Written by `baseline init` on %s. Every key is checked against the schema shipped in\n", opts.Now.Format("2006-01-02"))
	w("# baseline (unknown keys are errors); `baseline plan -f baseline.yaml` shows what apply would change.\n")
	w("version: 1\n\norganization:\n")
	w("  # Accounts with a role in the baseline, by id or Organizations name.\n")
	for _, r := range Roles {
		cands := r.Candidates(snap)
		if id := opts.Chosen[r.Key]; id != "" {
			w("  %s: %q  # chosen at init\n", r.Key, id)
			continue
		}
		switch len(cands) {
		case 1:
			w("  %s: %q  # %s (%s), recognised from its %s\n", r.Key, cands[0].Name, cands[0].AccountID, r.Category, why(cands[0], r))
		case 0:
			w("  # %s: \"\"  # TODO: no account looks like it; create one or name an existing one\n", r.Key)
			todo = append(todo, fmt.Sprintf("%s: no candidate account", r.Key))
		default:
			names := make([]string, len(cands))
			for i, a := range cands {
				names[i] = fmt.Sprintf("%s (%s)", a.Name, a.AccountID)
			}
			w("  # %s: \"\"  # TODO: one of %s\n", r.Key, strings.Join(names, ", "))
			todo = append(todo, fmt.Sprintf("%s: one of %s", r.Key, strings.Join(names, ", ")))
		}
	}
	if d := emailDomains(snap); len(d) > 0 {
		w("  # Root emails should be distribution lists on the company's domains.\n")
		w("  company_email_domains: [%s]\n", strings.Join(d, ", "))
	}
	w("  # Category (prod, dev, sandbox, security, log-archive, shared) and owner of each account.\n")
	w("  accounts:\n")
	for _, a := range sortedAccounts(snap) {
		if a.Category != "" {
			w("    %q: {category: %s}  # %s\n", a.Name, a.Category, a.AccountID)
		} else {
			w("    # %q: {category: prod, owner: team}  # %s: TODO, no category from its tags or OU %q\n", a.Name, a.AccountID, a.OUPath)
		}
	}
	w("\nregions:\n  # Regions the organization may use; the region SCP denies the others.\n")
	w("  allowed: [%s]\n", strings.Join(opts.Regions, ", "))
	if len(opts.Regions) > 0 {
		w("  home: %s\n", opts.Regions[0])
	}
	w("\nnaming:\n  prefix: baseline  # every bucket, topic and role apply creates starts with it\n")
	w("  account_alias: \"{prefix}-{name}\"  # {prefix} {name} {id} {category}\n")
	w("\nalerts:\n  # Who the security alert topic emails (also the SECURITY alternate contact).\n  emails: []\n")
	w("\nbudgets:\n  monthly_usd: 100  # per account; organization.accounts.<name>.budget_usd overrides\n")
	w("\n# Leave a control out of audit and apply:\n# controls:\n#   securityhub.enabled: {enabled: false}\n")
	return []byte(b.String()), todo
}

func why(a *snapshot.Account, r Role) string {
	if a.Category == r.Category {
		if strings.Contains(strings.ToLower(a.OUPath), strings.Split(r.Category, "-")[0]) {
			return "OU " + a.OUPath
		}
		return "category tag"
	}
	return "name"
}

func emailDomains(snap *snapshot.Snapshot) []string {
	seen := map[string]bool{}
	for _, a := range snap.Accounts {
		if i := strings.LastIndexByte(a.Email, '@'); i >= 0 {
			d := strings.ToLower(a.Email[i+1:])
			if d != "gmail.com" && d != "outlook.com" && d != "hotmail.com" && d != "yahoo.com" {
				seen[d] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func sortedAccounts(snap *snapshot.Snapshot) []*snapshot.Account {
	out := append([]*snapshot.Account(nil), snap.Accounts...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
