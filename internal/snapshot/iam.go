package snapshot

import "time"

// IAM is an account's IAM state, read mostly from GetAccountAuthorizationDetails
// and the credential report so that one account costs a handful of calls.
type IAM struct {
	PasswordPolicy *PasswordPolicy   `json:"password_policy"`
	Summary        map[string]int32  `json:"summary,omitempty"`
	Credentials    []CredentialEntry `json:"credential_report,omitempty"`
	Users          []User            `json:"users,omitempty"`
	Groups         []Group           `json:"groups,omitempty"`
	Roles          []Role            `json:"roles,omitempty"`
	Policies       []ManagedPolicy   `json:"policies,omitempty"`
	SAMLProviders  []string          `json:"saml_providers,omitempty"`
	OIDCProviders  []string          `json:"oidc_providers,omitempty"`
	// VirtualMFA lists the serials of virtual MFA devices; a root MFA serial
	// found here means the root MFA is not a hardware device.
	VirtualMFA []string `json:"virtual_mfa,omitempty"`
	// IdentityCenterInstances is the number of IAM Identity Center instances seen.
	IdentityCenterInstances int `json:"identity_center_instances"`
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
// the report says N/A or no_information.
type CredentialEntry struct {
	User                string     `json:"user"`
	Arn                 string     `json:"arn"`
	UserCreation        *time.Time `json:"user_creation_time,omitempty"`
	PasswordEnabled     bool       `json:"password_enabled"`
	PasswordLastUsed    *time.Time `json:"password_last_used,omitempty"`
	PasswordLastChanged *time.Time `json:"password_last_changed,omitempty"`
	MFAActive           bool       `json:"mfa_active"`
	AccessKey1Active    bool       `json:"access_key_1_active"`
	AccessKey1Rotated   *time.Time `json:"access_key_1_last_rotated,omitempty"`
	AccessKey1LastUsed  *time.Time `json:"access_key_1_last_used_date,omitempty"`
	AccessKey2Active    bool       `json:"access_key_2_active"`
	AccessKey2Rotated   *time.Time `json:"access_key_2_last_rotated,omitempty"`
	AccessKey2LastUsed  *time.Time `json:"access_key_2_last_used_date,omitempty"`
}

// User is an IAM user with the permissions attached to it directly.
type User struct {
	Name             string            `json:"name"`
	Arn              string            `json:"arn"`
	Created          time.Time         `json:"created"`
	Groups           []string          `json:"groups,omitempty"`
	InlinePolicies   []string          `json:"inline_policies,omitempty"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// Group is an IAM group.
type Group struct {
	Name             string   `json:"name"`
	Arn              string   `json:"arn"`
	AttachedPolicies []string `json:"attached_policies,omitempty"`
	InlinePolicies   []string `json:"inline_policies,omitempty"`
}

// Role is an IAM role with its trust policy and last use.
type Role struct {
	Name             string            `json:"name"`
	Arn              string            `json:"arn"`
	Path             string            `json:"path"`
	Created          time.Time         `json:"created"`
	TrustPolicy      string            `json:"trust_policy"`
	LastUsed         *time.Time        `json:"last_used,omitempty"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// ManagedPolicy is a customer-managed policy with its default version's document.
type ManagedPolicy struct {
	Name            string `json:"name"`
	Arn             string `json:"arn"`
	AttachmentCount int32  `json:"attachment_count"`
	Document        string `json:"document"`
}
