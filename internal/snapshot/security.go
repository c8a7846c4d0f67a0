package snapshot

// AccessAnalyzer lists the IAM Access Analyzer analyzers of a region.
type AccessAnalyzer struct {
	Analyzers []Analyzer `json:"analyzers,omitempty"`
}

// Analyzer is an Access Analyzer analyzer. Type is ACCOUNT or ORGANIZATION
// for external access, ACCOUNT_UNUSED_ACCESS or ORGANIZATION_UNUSED_ACCESS.
type Analyzer struct {
	Name   string `json:"name"`
	Arn    string `json:"arn"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

// GuardDuty is the regional GuardDuty state.
type GuardDuty struct {
	Detectors []Detector `json:"detectors,omitempty"`
	// AdminAccountID is the administrator of this account's detector
	// (GetAdministratorAccount), "" when none.
	AdminAccountID string `json:"admin_account_id,omitempty"`
	// OrgAutoEnable (NEW, ALL or NONE) and OrgFeatures (feature name → NEW,
	// ALL or NONE) are the organization configuration, read only in an
	// account without an administrator, and set only in the delegated
	// administrator.
	OrgAutoEnable string            `json:"org_auto_enable,omitempty"`
	OrgFeatures   map[string]string `json:"org_features,omitempty"`
}

// Detector is a GuardDuty detector.
type Detector struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Features maps a protection plan (S3_DATA_EVENTS, ...) to whether it is
	// on. Detectors that predate features report their data sources here.
	Features map[string]bool `json:"features,omitempty"`
}

// GuardDutyS3 is the feature name of GuardDuty S3 Protection.
const GuardDutyS3 = "S3_DATA_EVENTS"

// SecurityHub is the regional Security Hub state.
type SecurityHub struct {
	Enabled        bool       `json:"enabled"`
	HubArn         string     `json:"hub_arn,omitempty"`
	Standards      []Standard `json:"standards,omitempty"`
	AdminAccountID string     `json:"admin_account_id,omitempty"`
}

// Standard is an enabled Security Hub standard.
type Standard struct {
	Arn    string `json:"arn"`
	Status string `json:"status"` // PENDING | READY | FAILED | DELETING | INCOMPLETE
}

// Inspector is the Inspector v2 account status in a region. Status is ""
// when Inspector reported nothing for the account.
type Inspector struct {
	Status    string          `json:"status"`
	Resources map[string]bool `json:"resources,omitempty"` // EC2, ECR, LAMBDA...
}

// Detective lists the behavior graphs of a region.
type Detective struct {
	Graphs []string `json:"graphs,omitempty"`
}

// KMS lists the customer-managed keys of a region.
type KMS struct {
	Keys []Key `json:"keys,omitempty"`
}

// Key is a customer-managed KMS key. RotationEnabled is read only for
// enabled or disabled symmetric encryption keys (SYMMETRIC_DEFAULT; HMAC
// keys have their own specs) with AWS-generated material: rotation does not
// apply to the others.
type Key struct {
	ID              string `json:"id"`
	Arn             string `json:"arn"`
	Spec            string `json:"spec"`
	State           string `json:"state"`
	Origin          string `json:"origin"`
	RotationEnabled bool   `json:"rotation_enabled"`
	// Policy is the key policy (every key has one).
	Policy string `json:"policy,omitempty"`
}

// Rotatable reports whether automatic rotation applies to the key.
func (k *Key) Rotatable() bool {
	return k.Spec == "SYMMETRIC_DEFAULT" && k.Origin == "AWS_KMS" &&
		(k.State == "Enabled" || k.State == "Disabled")
}
