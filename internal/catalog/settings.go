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
