// Package inventory turns a snapshot into the account inventory the seeds ask
// for: every account with its place in the organization, its category, owner
// and business unit, its contacts and alias, and what is missing or wrong
// about them (a root email outside the company's domains, no owner).
package inventory

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Row is one account of the inventory.
type Row struct {
	AccountID    string   `json:"account_id"`
	Name         string   `json:"name"`
	Email        string   `json:"email"`
	EmailDomain  string   `json:"email_domain_check"` // ok, outside, unchecked
	OUPath       string   `json:"ou_path"`
	Category     string   `json:"category"`
	Owner        string   `json:"owner"`
	BusinessUnit string   `json:"business_unit"`
	Security     string   `json:"security_contact"`
	Operations   string   `json:"operations_contact"`
	Billing      string   `json:"billing_contact"`
	Alias        string   `json:"alias"`
	Status       string   `json:"status"`
	Joined       string   `json:"joined"`
	Issues       []string `json:"issues"`
}

// Tag keys read for the owner and the business unit, in order of preference.
var (
	ownerTags        = []string{"owner", "Owner", "team", "Team"}
	businessUnitTags = []string{"business-unit", "BusinessUnit", "business_unit", "cost-center", "CostCenter"}
)

// Build lists the snapshot's accounts, management first, then by name.
func Build(snap *snapshot.Snapshot, s *catalog.Settings) []Row {
	if s == nil {
		s = catalog.Defaults()
	}
	errs := catalog.IndexErrors(snap)
	rows := make([]Row, 0, len(snap.Accounts))
	for _, a := range snap.Accounts {
		r := Row{AccountID: a.AccountID, Name: a.Name, Email: a.Email, OUPath: a.OUPath, Category: a.Category,
			Owner: firstTag(a.Tags, ownerTags), BusinessUnit: firstTag(a.Tags, businessUnitTags), Status: a.Status}
		if r.Owner == "" {
			r.Owner = s.OwnerOf(a.AccountID, a.Name)
		}
		if a.JoinedAt != nil {
			r.Joined = a.JoinedAt.UTC().Format(time.DateOnly)
		}
		if a.AccountID == snap.ManagementAccountID() {
			r.OUPath, r.Category = "/", orDefault(r.Category, "management")
		}
		r.EmailDomain = emailDomainCheck(a.Email, s.CompanyEmailDomains)
		settings := a.Global.Account
		if settings != nil && len(settings.Aliases) > 0 {
			r.Alias = settings.Aliases[0]
		}
		contact := func(kind string) string {
			if err := errs.Find(a.AccountID, "", "account:GetAlternateContact", "", catalog.PerAccount); err != nil {
				return "unreadable (" + err.Code + ")"
			}
			if settings == nil {
				return "not collected"
			}
			if c, ok := settings.AlternateContacts[kind]; ok {
				return strings.TrimSpace(c.Name + " <" + c.Email + ">")
			}
			return ""
		}
		r.Security, r.Operations, r.Billing = contact("SECURITY"), contact("OPERATIONS"), contact("BILLING")
		r.Issues = issues(r, a)
		rows = append(rows, r)
	}
	mgmt := snap.ManagementAccountID()
	slices.SortStableFunc(rows, func(x, y Row) int {
		if (x.AccountID == mgmt) != (y.AccountID == mgmt) {
			if x.AccountID == mgmt {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name, y.Name)
	})
	return rows
}

func issues(r Row, a *snapshot.Account) []string {
	out := []string{}
	if r.EmailDomain == "outside" {
		out = append(out, "root email outside the company domains")
	}
	if a.Category == "" {
		out = append(out, "no category (tag it or place it in a category OU)")
	}
	if r.Owner == "" {
		out = append(out, "no owner tag")
	}
	if r.Security == "" {
		out = append(out, "no security contact")
	}
	if a.Unreachable != "" {
		out = append(out, "not readable: "+a.Unreachable)
	}
	return out
}

func emailDomainCheck(email string, domains []string) string {
	if len(domains) == 0 {
		return "unchecked"
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return "outside"
	}
	d := strings.ToLower(email[at+1:])
	for _, want := range domains {
		want = strings.ToLower(want)
		if d == want || strings.HasSuffix(d, "."+want) {
			return "ok"
		}
	}
	return "outside"
}

func firstTag(tags map[string]string, keys []string) string {
	for _, k := range keys {
		if v := tags[k]; v != "" {
			return v
		}
	}
	return ""
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// Formats are the output formats of Write.
var Formats = []string{"table", "csv", "md", "json"}

var header = []string{"account_id", "name", "email", "email_domain_check", "ou_path", "category", "owner", "business_unit",
	"security_contact", "operations_contact", "billing_contact", "alias", "status", "joined", "issues"}

func (r Row) fields() []string {
	return []string{r.AccountID, r.Name, r.Email, r.EmailDomain, r.OUPath, r.Category, r.Owner, r.BusinessUnit,
		r.Security, r.Operations, r.Billing, r.Alias, r.Status, r.Joined, strings.Join(r.Issues, "; ")}
}

// Write renders rows in format.
func Write(w io.Writer, format string, rows []Row) error {
	switch format {
	case "", "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tNAME\tEMAIL\tOU\tCATEGORY\tOWNER\tSECURITY CONTACT\tALIAS\tISSUES")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.AccountID, r.Name, r.Email, r.OUPath, dash(r.Category),
				dash(r.Owner), dash(r.Security), dash(r.Alias), dash(strings.Join(r.Issues, "; ")))
		}
		return tw.Flush()
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(header)
		for _, r := range rows {
			_ = cw.Write(r.fields())
		}
		cw.Flush()
		return cw.Error()
	case "md":
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
		for _, r := range rows {
			f := r.fields()
			for i := range f {
				f[i] = strings.ReplaceAll(f[i], "|", `\|`)
			}
			if _, err := fmt.Fprintf(w, "| %s |\n", strings.Join(f, " | ")); err != nil {
				return err
			}
		}
		return nil
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Accounts []Row `json:"accounts"`
		}{rows})
	}
	return fmt.Errorf("unknown format %q (%s)", format, strings.Join(Formats, ", "))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
