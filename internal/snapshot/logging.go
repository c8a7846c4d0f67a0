package snapshot

// CloudTrail lists the trails visible in a region, shadow copies of
// multi-region and organization trails included.
type CloudTrail struct {
	Trails []Trail `json:"trails,omitempty"`
}

// Trail is one CloudTrail trail as DescribeTrails shows it. A trail's status
// and event selectors are read from one copy only (its home region, or the
// first assessed region when the home region is not assessed).
type Trail struct {
	Name                string `json:"name"`
	Arn                 string `json:"arn"`
	HomeRegion          string `json:"home_region"`
	OwnerAccountID      string `json:"owner_account_id"`
	MultiRegion         bool   `json:"multi_region"`
	Organization        bool   `json:"organization"`
	IncludeGlobalEvents bool   `json:"include_global_events"`
	LogFileValidation   bool   `json:"log_file_validation"`
	KMSKeyID            string `json:"kms_key_id,omitempty"`
	S3Bucket            string `json:"s3_bucket"`
	S3KeyPrefix         string `json:"s3_key_prefix,omitempty"`
	// CloudWatchLogsGroup is the ARN of the log group the trail delivers to.
	CloudWatchLogsGroup string `json:"cloudwatch_logs_group,omitempty"`
	SNSTopic            string `json:"sns_topic,omitempty"`
	// Logging is nil when the status was not read from this copy: shadow
	// copies, and trails of another account that refuse it.
	Logging *bool `json:"logging,omitempty"`
	// Selectors are read with the status; SelectorsRead tells an unread
	// list from an empty one.
	Selectors     []EventSelector `json:"selectors,omitempty"`
	SelectorsRead bool            `json:"selectors_read,omitempty"`
}

// EventSelector is a basic or an advanced event selector.
type EventSelector struct {
	// Name is set on advanced selectors.
	Name string `json:"name,omitempty"`
	// ReadWrite (All | ReadOnly | WriteOnly), IncludeMgmt and DataResources
	// are the fields of a basic selector.
	ReadWrite     string         `json:"read_write,omitempty"`
	IncludeMgmt   bool           `json:"include_management,omitempty"`
	DataResources []DataResource `json:"data_resources,omitempty"`
	// ExcludeMgmtSources are the event sources a basic selector leaves out
	// of its management events (kept so that a selector can be written back).
	ExcludeMgmtSources []string `json:"exclude_management_sources,omitempty"`
	// Fields are the conditions of an advanced selector, all of which apply.
	Fields []FieldSelector `json:"fields,omitempty"`
}

// DataResource is a basic selector's data resource type and ARN prefixes.
type DataResource struct {
	Type   string   `json:"type"`
	Values []string `json:"values,omitempty"`
}

// FieldSelector is one field condition of an advanced event selector.
type FieldSelector struct {
	Field         string   `json:"field"`
	Equals        []string `json:"equals,omitempty"`
	NotEquals     []string `json:"not_equals,omitempty"`
	StartsWith    []string `json:"starts_with,omitempty"`
	NotStartsWith []string `json:"not_starts_with,omitempty"`
	EndsWith      []string `json:"ends_with,omitempty"`
	NotEndsWith   []string `json:"not_ends_with,omitempty"`
}

// Config is the regional AWS Config state.
type Config struct {
	Recorders        []ConfigRecorder  `json:"recorders,omitempty"`
	DeliveryChannels []DeliveryChannel `json:"delivery_channels,omitempty"`
	Aggregators      []Aggregator      `json:"aggregators,omitempty"`
}

// ConfigRecorder with its status.
type ConfigRecorder struct {
	Name          string `json:"name"`
	AllSupported  bool   `json:"all_supported"`
	IncludeGlobal bool   `json:"include_global_resource_types"`
	// RecordingStrategy is ALL_SUPPORTED_RESOURCE_TYPES,
	// INCLUSION_BY_RESOURCE_TYPES or EXCLUSION_BY_RESOURCE_TYPES.
	RecordingStrategy string `json:"recording_strategy,omitempty"`
	// ResourceTypes are the included or excluded types, by strategy.
	ResourceTypes    []string `json:"resource_types,omitempty"`
	Recording        bool     `json:"recording"`
	LastStatus       string   `json:"last_status,omitempty"`
	RoleARN          string   `json:"role_arn,omitempty"`
	ServicePrincipal string   `json:"service_principal,omitempty"`
}

// DeliveryChannel is a Config delivery channel.
type DeliveryChannel struct {
	Name     string `json:"name"`
	S3Bucket string `json:"s3_bucket"`
	SNSTopic string `json:"sns_topic,omitempty"`
}

// Aggregator is a Config configuration aggregator.
type Aggregator struct {
	Name         string   `json:"name"`
	Arn          string   `json:"arn"`
	Organization bool     `json:"organization"`
	AllRegions   bool     `json:"all_regions"`
	Accounts     []string `json:"accounts,omitempty"`
	// RoleArn is the role of an organization aggregation source.
	RoleArn string `json:"role_arn,omitempty"`
}

// Logs is the regional CloudWatch Logs state.
type Logs struct {
	Groups        []LogGroup     `json:"groups,omitempty"`
	MetricFilters []MetricFilter `json:"metric_filters,omitempty"`
	// SubscriptionPolicy is the account-level subscription filter policy,
	// nil when there is none.
	SubscriptionPolicy *SubscriptionPolicy `json:"subscription_policy,omitempty"`
}

// SubscriptionPolicy streams every log group of the account but the
// excluded ones to one destination.
type SubscriptionPolicy struct {
	Name           string   `json:"name"`
	DestinationArn string   `json:"destination_arn"`
	Excluded       []string `json:"excluded_log_groups,omitempty"`
}

// Covers reports whether the policy applies to the log group.
func (p *SubscriptionPolicy) Covers(group string) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Excluded {
		if g == group {
			return false
		}
	}
	return true
}

// LogGroup is a CloudWatch log group.
type LogGroup struct {
	Name          string `json:"name"`
	Arn           string `json:"arn"`
	RetentionDays int32  `json:"retention_days"`
	KMSKeyID      string `json:"kms_key_id,omitempty"`
	// Subscriptions are read only for the groups the account-level
	// subscription policy does not cover.
	Subscriptions []SubscriptionFilter `json:"subscriptions,omitempty"`
}

// SubscriptionFilter of a log group.
type SubscriptionFilter struct {
	Name           string `json:"name"`
	DestinationArn string `json:"destination_arn"`
	Pattern        string `json:"pattern"`
}

// MetricFilter turns log events into a metric.
type MetricFilter struct {
	Name            string `json:"name"`
	LogGroup        string `json:"log_group"`
	Pattern         string `json:"pattern"`
	MetricName      string `json:"metric_name"`
	MetricNamespace string `json:"metric_namespace"`
}

// CloudWatch holds metric alarms.
type CloudWatch struct {
	Alarms []Alarm `json:"alarms,omitempty"`
}

// Alarm is a CloudWatch metric alarm on a single metric.
type Alarm struct {
	Name       string   `json:"name"`
	MetricName string   `json:"metric_name"`
	Namespace  string   `json:"namespace"`
	Actions    []string `json:"actions,omitempty"`
	// Enabled is ActionsEnabled: whether the actions run.
	Enabled bool `json:"enabled"`
}

// EventBridge holds the rules of the default bus and the bus policy.
type EventBridge struct {
	Rules     []EventRule `json:"rules,omitempty"`
	BusPolicy string      `json:"bus_policy,omitempty"`
}

// EventRule is an EventBridge rule with its targets. Targets are read only
// for enabled rules with an event pattern: no other rule can alert.
type EventRule struct {
	Name         string   `json:"name"`
	Arn          string   `json:"arn"`
	EventBus     string   `json:"event_bus"`
	State        string   `json:"state"`
	EventPattern string   `json:"event_pattern,omitempty"`
	Targets      []string `json:"targets,omitempty"`
}

// SNS lists topics and their subscriptions.
type SNS struct {
	Topics []Topic `json:"topics,omitempty"`
}

// Topic is an SNS topic.
type Topic struct {
	Arn           string         `json:"arn"`
	Subscriptions []Subscription `json:"subscriptions,omitempty"`
	// Policy is the topic's access policy (every topic has one).
	Policy string `json:"policy,omitempty"`
}

// Subscription of a topic; Confirmed is false while PendingConfirmation.
type Subscription struct {
	Protocol  string `json:"protocol"`
	Endpoint  string `json:"endpoint"`
	Confirmed bool   `json:"confirmed"`
}

// SQS lists the region's queues.
type SQS struct {
	Queues []Queue `json:"queues,omitempty"`
}

// Queue is an SQS queue with its access policy ("" when it has none).
type Queue struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Arn    string `json:"arn,omitempty"`
	Policy string `json:"policy,omitempty"`
}
