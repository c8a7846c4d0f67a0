package snapshot

import "strings"

// Organization is what AWS Organizations says about the organization, read
// from the management account (or a delegated administrator).
type Organization struct {
	ID                  string `json:"id"`
	Arn                 string `json:"arn,omitempty"`
	ManagementAccountID string `json:"management_account_id"`
	FeatureSet          string `json:"feature_set,omitempty"`
	// Member is false when the caller's account is in no organization.
	Member bool   `json:"member"`
	Roots  []Root `json:"roots,omitempty"`
	OUs    []OU   `json:"ous,omitempty"`
	// Accounts is every account of the tree, assessed or not: checks of the
	// organization's structure (categories, SCP coverage) must see them all.
	Accounts []OrgAccount `json:"accounts,omitempty"`
	// Policies holds every SCP and AI-services opt-out policy with its content
	// and the targets (root, OU or account ids) it is attached to.
	Policies        []Policy         `json:"policies,omitempty"`
	DelegatedAdmins []DelegatedAdmin `json:"delegated_admins,omitempty"`
	TrustedServices []string         `json:"trusted_services,omitempty"`
	// Full is false when only the member view (DescribeOrganization) was
	// readable; org-level controls are then ERROR, not FAIL.
	Full bool `json:"full"`
}

// Root is an organization root and the policy types enabled on it.
type Root struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name,omitempty"`
	EnabledPolicyTypes []string `json:"enabled_policy_types,omitempty"`
}

// OU is an organizational unit with its full path from the root.
type OU struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parent_id"`
	Path     string `json:"path"`
}

// OrgAccount is an account as the organization's tree shows it.
type OrgAccount struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status,omitempty"`
	ParentID string `json:"parent_id"`
	OUPath   string `json:"ou_path"`
	Category string `json:"category,omitempty"`
}

// Policy is an Organizations policy (SERVICE_CONTROL_POLICY, AISERVICES_OPT_OUT_POLICY, ...).
type Policy struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	AWSManaged bool              `json:"aws_managed,omitempty"`
	Content    string            `json:"content,omitempty"`
	Targets    []string          `json:"targets,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// DelegatedAdmin is an account registered as delegated administrator for a service.
type DelegatedAdmin struct {
	AccountID        string `json:"account_id"`
	ServicePrincipal string `json:"service_principal"`
}

// AccountSettings is the account-level configuration outside IAM.
type AccountSettings struct {
	Aliases []string `json:"aliases"`
	// AlternateContacts is keyed by type: SECURITY, OPERATIONS, BILLING.
	AlternateContacts map[string]Contact `json:"alternate_contacts,omitempty"`
	// ContactInfo is the primary contact; nil when none is set or it could not be read.
	ContactInfo *ContactInfo `json:"contact_info,omitempty"`
	// RegionOptStatus is the opt-in status of every region (ENABLED,
	// ENABLED_BY_DEFAULT, DISABLED, ENABLING, DISABLING); nil when unread.
	RegionOptStatus map[string]string `json:"region_opt_status,omitempty"`
}

// ContactInfo is an account's primary contact information.
type ContactInfo struct {
	FullName    string `json:"full_name"`
	CompanyName string `json:"company_name,omitempty"`
	Phone       string `json:"phone"`
	Address     string `json:"address"`
	City        string `json:"city"`
	PostalCode  string `json:"postal_code,omitempty"`
	CountryCode string `json:"country_code"`
	WebsiteURL  string `json:"website_url,omitempty"`
}

// Contact is an alternate contact of an account.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
	Title string `json:"title,omitempty"`
}

// Categories are the account categories the baseline knows.
var Categories = []string{"prod", "dev", "sandbox", "security", "log-archive", "shared"}

// categoryWords maps words seen in tags and OU names to a category.
var categoryWords = map[string]string{
	"prod": "prod", "production": "prod", "prd": "prod",
	"dev": "dev", "development": "dev", "staging": "dev", "stage": "dev", "test": "dev", "qa": "dev", "nonprod": "dev",
	"sandbox": "sandbox", "sandboxes": "sandbox", "playground": "sandbox",
	"security": "security", "audit": "security",
	"log-archive": "log-archive", "logarchive": "log-archive", "logs": "log-archive", "log archive": "log-archive", "logging": "log-archive",
	"shared": "shared", "shared-services": "shared", "sharedservices": "shared", "infrastructure": "shared", "infra": "shared",
}

// Categorize derives an account's category from its tags (category,
// Category, baseline:category, environment) and then from its OU path,
// innermost OU first. It returns "" when neither says.
func Categorize(a *Account) string {
	for _, k := range []string{"baseline:category", "category", "Category", "environment", "Environment", "env"} {
		if c, ok := categoryWords[normalizeWord(a.Tags[k])]; ok {
			return c
		}
	}
	parts := strings.Split(strings.Trim(a.OUPath, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if c, ok := categoryWords[normalizeWord(parts[i])]; ok {
			return c
		}
	}
	return ""
}

func normalizeWord(s string) string {
	return strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, "_", "-")))
}
