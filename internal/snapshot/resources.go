package snapshot

// Backup is the regional AWS Backup state.
type Backup struct {
	Vaults []BackupVault `json:"vaults,omitempty"`
	Plans  []BackupPlan  `json:"plans,omitempty"`
}

// BackupVault with its lock state.
type BackupVault struct {
	Name             string `json:"name"`
	Arn              string `json:"arn"`
	Locked           bool   `json:"locked"`
	MinRetentionDays int64  `json:"min_retention_days,omitempty"`
	RecoveryPoints   int64  `json:"recovery_points"`
}

// BackupPlan with its rules and resource selections.
type BackupPlan struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Rules      []BackupRule      `json:"rules,omitempty"`
	Selections []BackupSelection `json:"selections,omitempty"`
}

// BackupRule of a plan.
type BackupRule struct {
	Name string `json:"name"`
	// Vault is the target vault's name.
	Vault           string   `json:"vault"`
	DeleteAfterDays int64    `json:"delete_after_days"`
	CopyTo          []string `json:"copy_to,omitempty"` // destination vault ARNs
}

// BackupSelection says which resources a plan backs up: by tag ("key=value"
// conditions), by ARN, or both.
type BackupSelection struct {
	Name      string   `json:"name"`
	Tags      []string `json:"tags,omitempty"`
	Resources []string `json:"resources,omitempty"`
}

// Resolver is Route 53 Resolver query logging in a region.
type Resolver struct {
	// QueryLogConfigs are the ids of the configurations usable in the region
	// (owned or shared with the account).
	QueryLogConfigs []string              `json:"query_log_configs,omitempty"`
	Associations    []QueryLogAssociation `json:"associations,omitempty"`
}

// QueryLogAssociation links a VPC to a query logging configuration.
type QueryLogAssociation struct {
	VPCID    string `json:"vpc_id"`
	ConfigID string `json:"config_id"`
	Status   string `json:"status"` // ACTIVE, CREATING, FAILED, DELETING
}

// DynamoDB lists tables.
type DynamoDB struct {
	Tables []Table `json:"tables,omitempty"`
}

// Table is a DynamoDB table.
type Table struct {
	Name    string `json:"name"`
	Arn     string `json:"arn"`
	HashKey string `json:"hash_key"`
	Status  string `json:"status"`
}

// ECS holds the effective account settings and workload counts.
type ECS struct {
	Settings map[string]string `json:"settings,omitempty"` // taskLongArnFormat: enabled ...
	Clusters []string          `json:"clusters,omitempty"`
	Services int               `json:"services"`
}

// ELB lists application/network/gateway load balancers.
type ELB struct {
	LoadBalancers []LoadBalancer `json:"load_balancers,omitempty"`
}

// LoadBalancer is an ELBv2 load balancer.
type LoadBalancer struct {
	Name       string `json:"name"`
	Arn        string `json:"arn"`
	Type       string `json:"type"`   // application, network, gateway
	Scheme     string `json:"scheme"` // internet-facing, internal
	AccessLogs bool   `json:"access_logs"`
	// WebACL is the WAF web ACL protecting an internet-facing application
	// load balancer (the only ones WAF applies to and the checks ask about).
	WebACL string `json:"web_acl,omitempty"`
}

// Lambda lists functions (workload detection).
type Lambda struct {
	Functions []Function `json:"functions,omitempty"`
}

// Function is a Lambda function.
type Function struct {
	Name string `json:"name"`
	Arn  string `json:"arn"`
	// Policy is the function's resource policy, "" when it has none.
	Policy string `json:"policy,omitempty"`
}

// SecretsManager lists the region's secrets.
type SecretsManager struct {
	Secrets []Secret `json:"secrets,omitempty"`
}

// Secret is a Secrets Manager secret with its resource policy ("" when it
// has none).
type Secret struct {
	Name   string `json:"name"`
	Arn    string `json:"arn"`
	Policy string `json:"policy,omitempty"`
}

// RDS lists database instances (workload detection).
type RDS struct {
	Instances []string `json:"instances,omitempty"` // ARNs
}

// Tagging lists taggable resources with their tags (Resource Groups Tagging API).
type Tagging struct {
	Resources []TaggedResource `json:"resources,omitempty"`
}

// TaggedResource is one resource and its tags.
type TaggedResource struct {
	Arn  string            `json:"arn"`
	Tags map[string]string `json:"tags,omitempty"`
}
