package snapshot

import (
	"strings"
	"time"
)

// RootUser is the credential report's name for the account's root user.
const RootUser = "<root_account>"

// IAM is an account's IAM state, read mostly from GetAccountAuthorizationDetails
// and the credential report so that one account costs a handful of calls.
type IAM struct {
	// PasswordPolicy is nil when the account has none (IAM's weak defaults apply).
	PasswordPolicy *PasswordPolicy `json:"password_policy"`
	// Summary is GetAccountSummary's map: AccountMFAEnabled,
	// AccountAccessKeysPresent, Users, Roles...
	Summary map[string]int32 `json:"summary,omitempty"`
	// Credentials is the credential report, the root user's row included.
	Credentials []CredentialEntry `json:"credential_report,omitempty"`
	Users       []User            `json:"users,omitempty"`
	Groups      []Group           `json:"groups,omitempty"`
	Roles       []Role            `json:"roles,omitempty"`
	// Policies are the customer-managed policies (AWS managed ones are the
	// same everywhere and are not copied into every snapshot).
	Policies      []ManagedPolicy `json:"policies,omitempty"`
	SAMLProviders []string        `json:"saml_providers,omitempty"`
	OIDCProviders []string        `json:"oidc_providers,omitempty"`
	// VirtualMFA lists the assigned virtual MFA devices; when the root user
	// has MFA (Summary AccountMFAEnabled) and none of these is assigned to
	// it, the root MFA is a hardware device.
	VirtualMFA []MFADevice `json:"virtual_mfa,omitempty"`
	// IdentityCenter lists the IAM Identity Center instances visible from the
	// account in its home region.
	IdentityCenter []IdentityCenterInstance `json:"identity_center,omitempty"`
}

// Root returns the root user's row of the credential report, or nil.
func (i *IAM) Root() *CredentialEntry {
	for k := range i.Credentials {
		if i.Credentials[k].User == RootUser {
			return &i.Credentials[k]
		}
	}
	return nil
}

// PasswordPolicy mirrors iam.PasswordPolicy; nil in IAM means "no policy set".
type PasswordPolicy struct {
	MinimumLength              int32 `json:"minimum_length"`
	RequireSymbols             bool  `json:"require_symbols"`
	RequireNumbers             bool  `json:"require_numbers"`
	RequireUppercase           bool  `json:"require_uppercase"`
	RequireLowercase           bool  `json:"require_lowercase"`
	PasswordReusePrevention    int32 `json:"password_reuse_prevention"`
	MaxPasswordAge             int32 `json:"max_password_age"`
	AllowUsersToChangePassword bool  `json:"allow_users_to_change_password"`
	HardExpiry                 bool  `json:"hard_expiry"`
}

// CredentialEntry is one row of the IAM credential report. Times are nil when
// the report says N/A, no_information or not_supported; booleans are false
// for not_supported (the root user's password_enabled).
type CredentialEntry struct {
	User                string       `json:"user"`
	Arn                 string       `json:"arn"`
	UserCreation        *time.Time   `json:"user_creation_time,omitempty"`
	PasswordEnabled     bool         `json:"password_enabled"`
	PasswordLastUsed    *time.Time   `json:"password_last_used,omitempty"`
	PasswordLastChanged *time.Time   `json:"password_last_changed,omitempty"`
	MFAActive           bool         `json:"mfa_active"`
	AccessKeys          [2]AccessKey `json:"access_keys"`
}

// AccessKey is one of the two access key slots of a credential report row.
type AccessKey struct {
	Active bool `json:"active"`
	// Rotated is when the current key was created; nil when the slot is empty.
	Rotated  *time.Time `json:"last_rotated,omitempty"`
	LastUsed *time.Time `json:"last_used,omitempty"`
}

// Exists reports whether the slot holds a key, active or not.
func (k AccessKey) Exists() bool { return k.Active || k.Rotated != nil }

// User is an IAM user with the permissions attached to it directly.
type User struct {
	Name    string    `json:"name"`
	Arn     string    `json:"arn"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
	Groups  []string  `json:"groups,omitempty"`
	// InlinePolicies maps each inline policy's name to its (URL-decoded) document.
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// Group is an IAM group.
type Group struct {
	Name             string            `json:"name"`
	Arn              string            `json:"arn"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`
}

// Role is an IAM role with its trust policy and last use.
type Role struct {
	Name    string    `json:"name"`
	Arn     string    `json:"arn"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
	// TrustPolicy is the URL-decoded assume-role policy document.
	TrustPolicy string `json:"trust_policy"`
	// LastUsed is nil when IAM recorded no use (it tracks the last 400 days).
	LastUsed         *time.Time        `json:"last_used,omitempty"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// ServiceLinked reports whether the role is a service-linked role, which AWS
// services create and manage themselves.
func (r *Role) ServiceLinked() bool { return strings.HasPrefix(r.Path, "/aws-service-role/") }

// ManagedPolicy is a customer-managed policy with its default version's document.
type ManagedPolicy struct {
	Name            string `json:"name"`
	Arn             string `json:"arn"`
	AttachmentCount int32  `json:"attachment_count"`
	// Document is the URL-decoded default version's document.
	Document string `json:"document"`
}

// MFADevice is a virtual MFA device and the ARN of the user it is assigned to.
type MFADevice struct {
	Serial string `json:"serial"`
	User   string `json:"user,omitempty"`
}

// IdentityCenterInstance is an IAM Identity Center instance. An instance
// owned by the management account is the organization's instance.
type IdentityCenterInstance struct {
	Arn             string `json:"arn"`
	IdentityStoreID string `json:"identity_store_id"`
	OwnerAccountID  string `json:"owner_account_id"`
	Status          string `json:"status"`
}
