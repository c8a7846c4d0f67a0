package snapshot

// AccessAnalyzer lists the IAM Access Analyzer analyzers of a region.
type AccessAnalyzer struct {
	Analyzers []Analyzer `json:"analyzers,omitempty"`
}

// Analyzer is an Access Analyzer analyzer (Type ACCOUNT or ORGANIZATION...).
type Analyzer struct {
	Name   string `json:"name"`
	Arn    string `json:"arn"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

// GuardDuty is the regional GuardDuty state.
type GuardDuty struct {
	Detectors []Detector `json:"detectors,omitempty"`
	// AdminAccountID is the delegated administrator seen from this account
	// (GetAdministratorAccount), "" when none.
	AdminAccountID string `json:"admin_account_id,omitempty"`
	// OrgAutoEnable is the organization auto-enable setting, read in the
	// delegated administrator account only.
	OrgAutoEnable string `json:"org_auto_enable,omitempty"`
}

// Detector is a GuardDuty detector.
type Detector struct {
	ID       string          `json:"id"`
	Status   string          `json:"status"`
	Features map[string]bool `json:"features,omitempty"` // S3_DATA_EVENTS, ...
}

// SecurityHub is the regional Security Hub state.
type SecurityHub struct {
	Enabled        bool     `json:"enabled"`
	HubArn         string   `json:"hub_arn,omitempty"`
	Standards      []string `json:"standards,omitempty"`
	AdminAccountID string   `json:"admin_account_id,omitempty"`
}

// Inspector is the Inspector v2 account status in a region.
type Inspector struct {
	Status    string          `json:"status"`
	Resources map[string]bool `json:"resources,omitempty"` // EC2, ECR, LAMBDA...
}

// Detective lists the behavior graphs of a region.
type Detective struct {
	Graphs []string `json:"graphs,omitempty"`
}

// KMS lists customer-managed keys of a region.
type KMS struct {
	Keys []Key `json:"keys,omitempty"`
}

// Key is a KMS key.
type Key struct {
	ID              string `json:"id"`
	Arn             string `json:"arn"`
	Manager         string `json:"manager"` // CUSTOMER | AWS
	Spec            string `json:"spec"`
	Usage           string `json:"usage"`
	State           string `json:"state"`
	RotationEnabled bool   `json:"rotation_enabled"`
	Policy          string `json:"policy,omitempty"`
}
