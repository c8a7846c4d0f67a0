package catalog

import "strings"

// Settings tune the checks. They come from the `audit:` and `organization:`
// sections of baseline.yaml; the zero value is completed by Defaults.
type Settings struct {
	// Designated accounts, by id or by Organizations name. Empty means "the
	// only account of that category".
	SecurityAccount       string
	LogArchiveAccount     string
	IdentityAccount       string
	SharedServicesAccount string

	RequiredTags         []string
	BreakGlassUsers      []string
	HoneytokenUsers      []string
	AllowedRegions       []string
	AccountNamePattern   string // regular expression the account alias must match
	CompanyEmailDomains  []string
	ApprovedAMIOwners    []string
	TrustedAccounts      []string // outside accounts allowed in trust policies
	UnusedCredentialDays int
	AccessKeyMaxAgeDays  int
	RoleUnusedDays       int
	RootUnusedDays       int
	RequireShield        bool

	// What apply sets up (baseline.yaml: organization, naming, alerts,
	// budgets, logging, backup).
	HomeRegion          string            // where global resources live; default the first allowed region
	AccountCategories   map[string]string // account id or name → category
	AccountOwners       map[string]string // account id or name → owner tag
	CategoryOUs         map[string]string // category → OU name under the root
	NamePrefix          string            // prefix of every name apply gives
	AliasTemplate       string            // account alias: {prefix} {name} {id} {category}
	AlertEmails         []string          // subscribers of the alert topic
	BudgetMonthlyUSD    float64           // default monthly budget per account
	BudgetByAccount     map[string]float64
	LogRetentionDays    int
	BackupRetentionDays int
	ReplicaRegion       string // second region of the log bucket and backup copies
	// ExemptRoles are the roles the SCP guardrails let through (baseline's
	// own apply role, break-glass roles): names, wildcards allowed.
	ExemptRoles []string
}

// Defaults returns the settings used when baseline.yaml says nothing: the
// CIS benchmark's thresholds.
func Defaults() *Settings {
	s := &Settings{}
	s.Complete()
	return s
}

// Complete fills unset thresholds with their defaults.
func (s *Settings) Complete() {
	if s.UnusedCredentialDays == 0 {
		s.UnusedCredentialDays = 45
	}
	if s.AccessKeyMaxAgeDays == 0 {
		s.AccessKeyMaxAgeDays = 90
	}
	if s.RoleUnusedDays == 0 {
		s.RoleUnusedDays = 90
	}
	if s.RootUnusedDays == 0 {
		s.RootUnusedDays = 90
	}
	if s.AccountNamePattern == "" {
		s.AccountNamePattern = `^[a-z0-9][a-z0-9-]{2,62}$`
	}
	if s.NamePrefix == "" {
		s.NamePrefix = "baseline"
	}
	if s.AliasTemplate == "" {
		s.AliasTemplate = "{prefix}-{name}"
	}
	if s.BudgetMonthlyUSD == 0 {
		s.BudgetMonthlyUSD = 100
	}
	if s.LogRetentionDays == 0 {
		s.LogRetentionDays = 365
	}
	if s.BackupRetentionDays == 0 {
		s.BackupRetentionDays = 35
	}
	if s.HomeRegion == "" {
		s.HomeRegion = "us-east-1"
		if len(s.AllowedRegions) > 0 {
			s.HomeRegion = s.AllowedRegions[0]
		}
	}
	if s.ReplicaRegion == "" {
		for _, r := range s.AllowedRegions {
			if r != s.HomeRegion {
				s.ReplicaRegion = r
				break
			}
		}
	}
	if len(s.HoneytokenUsers) == 0 {
		// The user detection.honeytokens creates when none is declared, so
		// that the IAM user checks know it for what it is.
		s.HoneytokenUsers = []string{s.Name("ci-deploy")}
	}
	if len(s.ExemptRoles) == 0 {
		s.ExemptRoles = []string{"OrganizationAccountAccessRole"}
	}
}

// lookupAccount finds an account's entry in a map keyed by id or name.
func lookupAccount[V any](m map[string]V, id, name string) (V, bool) {
	if v, ok := m[id]; ok {
		return v, true
	}
	for k, v := range m {
		if name != "" && strings.EqualFold(k, name) {
			return v, true
		}
	}
	var zero V
	return zero, false
}

// CategoryOf returns the category baseline.yaml gives an account, "" for none.
func (s *Settings) CategoryOf(id, name string) string {
	c, _ := lookupAccount(s.AccountCategories, id, name)
	return c
}

// OwnerOf returns the owner baseline.yaml gives an account, "" for none.
func (s *Settings) OwnerOf(id, name string) string {
	o, _ := lookupAccount(s.AccountOwners, id, name)
	return o
}

// BudgetOf returns the monthly budget of an account in US dollars.
func (s *Settings) BudgetOf(id, name string) float64 {
	if b, ok := lookupAccount(s.BudgetByAccount, id, name); ok {
		return b
	}
	return s.BudgetMonthlyUSD
}

// Name returns a resource name from the naming scheme: prefix-parts...
func (s *Settings) Name(parts ...string) string {
	return strings.Join(append([]string{s.NamePrefix}, parts...), "-")
}

// Alias returns the account alias the naming scheme gives an account.
func (s *Settings) Alias(id, name, category string) string {
	r := strings.NewReplacer("{prefix}", s.NamePrefix, "{name}", name, "{id}", id, "{category}", category)
	alias := strings.ToLower(r.Replace(s.AliasTemplate))
	var b strings.Builder
	for _, c := range alias {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// Designation returns the configured account reference for a role.
func (s *Settings) Designation(role string) string {
	switch role {
	case "security":
		return s.SecurityAccount
	case "log-archive":
		return s.LogArchiveAccount
	case "identity":
		return s.IdentityAccount
	case "shared":
		return s.SharedServicesAccount
	}
	return ""
}

// IsBreakGlass reports whether user is a declared break-glass user.
func (s *Settings) IsBreakGlass(user string) bool { return containsFold(s.BreakGlassUsers, user) }

// IsHoneytoken reports whether user is a declared honeytoken user.
func (s *Settings) IsHoneytoken(user string) bool { return containsFold(s.HoneytokenUsers, user) }

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
