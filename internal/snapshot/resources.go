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
}

// BackupPlan with its rules and resource selections.
type BackupPlan struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Rules      []BackupRule `json:"rules,omitempty"`
	Selections []string     `json:"selections,omitempty"` // tag conditions / resource ARNs
}

// BackupRule of a plan.
type BackupRule struct {
	Name            string   `json:"name"`
	Vault           string   `json:"vault"`
	DeleteAfterDays int64    `json:"delete_after_days"`
	CopyTo          []string `json:"copy_to,omitempty"` // destination vault ARNs
}

// Resolver is Route 53 Resolver query logging in a region.
type Resolver struct {
	QueryLogConfigs []string `json:"query_log_configs,omitempty"`
	// Associations maps VPC id to the query log config id.
	Associations map[string]string `json:"associations,omitempty"`
}

// DynamoDB lists tables.
type DynamoDB struct {
	Tables []Table `json:"tables,omitempty"`
}

// Table is a DynamoDB table.
type Table struct {
	Name    string            `json:"name"`
	Arn     string            `json:"arn"`
	HashKey string            `json:"hash_key"`
	Status  string            `json:"status"`
	Tags    map[string]string `json:"tags,omitempty"`
}

// ECS holds the effective account settings and workload counts.
type ECS struct {
	Settings map[string]string `json:"settings,omitempty"` // taskLongArnFormat: enabled ...
	Clusters []string          `json:"clusters,omitempty"`
	Services int               `json:"services"`
}

// ELB lists application/network load balancers.
type ELB struct {
	LoadBalancers []LoadBalancer `json:"load_balancers,omitempty"`
}

// LoadBalancer is an ELBv2 load balancer.
type LoadBalancer struct {
	Name       string `json:"name"`
	Arn        string `json:"arn"`
	Type       string `json:"type"`
	Scheme     string `json:"scheme"`
	AccessLogs bool   `json:"access_logs"`
	WebACL     string `json:"web_acl,omitempty"`
}

// Lambda lists functions (workload detection, trust map).
type Lambda struct {
	Functions []Function `json:"functions,omitempty"`
}

// Function is a Lambda function.
type Function struct {
	Name   string `json:"name"`
	Arn    string `json:"arn"`
	Policy string `json:"policy,omitempty"`
}

// RDS lists database instances (workload detection).
type RDS struct {
	Instances []string `json:"instances,omitempty"`
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
