package snapshot

// S3 is the account's S3 state. Buckets are listed once per account (the list
// is global) and each bucket's settings are read in the bucket's own region.
type S3 struct {
	// AccountPublicAccessBlock is nil when none is configured.
	AccountPublicAccessBlock *PublicAccessBlock `json:"account_public_access_block"`
	Buckets                  []Bucket           `json:"buckets,omitempty"`
}

// PublicAccessBlock holds the four Block Public Access switches.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"block_public_acls"`
	IgnorePublicAcls      bool `json:"ignore_public_acls"`
	BlockPublicPolicy     bool `json:"block_public_policy"`
	RestrictPublicBuckets bool `json:"restrict_public_buckets"`
}

// All reports whether every switch is on.
func (p *PublicAccessBlock) All() bool {
	return p != nil && p.BlockPublicAcls && p.IgnorePublicAcls && p.BlockPublicPolicy && p.RestrictPublicBuckets
}

// Bucket is one S3 bucket's security-relevant configuration.
type Bucket struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	Policy string `json:"policy,omitempty"`
	// PolicyPublic is AWS's own evaluation of the policy (GetBucketPolicyStatus);
	// nil when there is no policy or the evaluation was not available.
	PolicyPublic      *bool              `json:"policy_public,omitempty"`
	Grants            []Grant            `json:"grants,omitempty"`
	PublicAccessBlock *PublicAccessBlock `json:"public_access_block,omitempty"`
	Versioning        string             `json:"versioning,omitempty"`
	MFADelete         string             `json:"mfa_delete,omitempty"`
	Encryption        string             `json:"encryption,omitempty"`
	KMSKeyID          string             `json:"kms_key_id,omitempty"`
	LoggingTarget     string             `json:"logging_target,omitempty"`
	// Replication lists the destination bucket ARNs of enabled rules.
	Replication []string `json:"replication_destinations,omitempty"`
	// Inventories counts the enabled inventory configurations.
	Inventories int               `json:"inventories"`
	Lifecycle   bool              `json:"lifecycle"`
	ObjectLock  bool              `json:"object_lock"`
	Tags        map[string]string `json:"tags,omitempty"`
	// QueueNotifications are the event notifications sent to SQS queues.
	QueueNotifications []QueueNotification `json:"queue_notifications,omitempty"`
}

// QueueNotification sends a bucket's events to an SQS queue.
type QueueNotification struct {
	ID     string   `json:"id,omitempty"`
	Queue  string   `json:"queue"` // queue ARN
	Events []string `json:"events"`
}

// Grant is an ACL grant: Grantee is a canonical id, an email or a group URI.
type Grant struct {
	Grantee    string `json:"grantee"`
	Type       string `json:"type"`
	Permission string `json:"permission"`
}
