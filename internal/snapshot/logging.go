package snapshot

// CloudTrail lists the trails visible in a region, shadow copies of
// multi-region and organization trails included.
type CloudTrail struct {
	Trails []Trail `json:"trails,omitempty"`
}

// Trail is one CloudTrail trail with its status.
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
	CloudWatchLogsGroup string `json:"cloudwatch_logs_group,omitempty"`
	SNSTopic            string `json:"sns_topic,omitempty"`
	// Logging is nil when the status could not be read (shadow trail of
	// another account without permission).
	Logging   *bool           `json:"logging,omitempty"`
	Selectors []EventSelector `json:"selectors,omitempty"`
}

// EventSelector is a normalized basic or advanced event selector.
type EventSelector struct {
	ReadWrite        string   `json:"read_write,omitempty"` // All | ReadOnly | WriteOnly
	IncludeMgmt      bool     `json:"include_management"`
	DataResourceType string   `json:"data_resource_type,omitempty"` // e.g. AWS::S3::Object
	DataValues       []string `json:"data_values,omitempty"`
	// Advanced holds the raw advanced selector fields when it was one.
	Advanced map[string][]string `json:"advanced,omitempty"`
}

// Config is the regional AWS Config state.
type Config struct {
	Recorders        []ConfigRecorder  `json:"recorders,omitempty"`
	DeliveryChannels []DeliveryChannel `json:"delivery_channels,omitempty"`
	Aggregators      []Aggregator      `json:"aggregators,omitempty"`
}

// ConfigRecorder with its status.
type ConfigRecorder struct {
	Name              string   `json:"name"`
	AllSupported      bool     `json:"all_supported"`
	IncludeGlobal     bool     `json:"include_global_resource_types"`
	RecordingStrategy string   `json:"recording_strategy,omitempty"`
	ResourceTypes     []string `json:"resource_types,omitempty"`
	Recording         bool     `json:"recording"`
	LastStatus        string   `json:"last_status,omitempty"`
	RoleARN           string   `json:"role_arn,omitempty"`
	ServicePrincipal  string   `json:"service_principal,omitempty"`
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
	Organization bool     `json:"organization"`
	AllRegions   bool     `json:"all_regions"`
	Accounts     []string `json:"accounts,omitempty"`
}

// Logs is the regional CloudWatch Logs state.
type Logs struct {
	Groups        []LogGroup     `json:"groups,omitempty"`
	MetricFilters []MetricFilter `json:"metric_filters,omitempty"`
	// Destinations are cross-account CloudWatch Logs destinations.
	Destinations []string `json:"destinations,omitempty"`
}

// LogGroup is a CloudWatch log group.
type LogGroup struct {
	Name          string               `json:"name"`
	Arn           string               `json:"arn"`
	RetentionDays int32                `json:"retention_days"`
	KMSKeyID      string               `json:"kms_key_id,omitempty"`
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

// Alarm is a CloudWatch metric alarm.
type Alarm struct {
	Name       string   `json:"name"`
	MetricName string   `json:"metric_name"`
	Namespace  string   `json:"namespace"`
	Actions    []string `json:"actions,omitempty"`
	Enabled    bool     `json:"enabled"`
}

// EventBridge holds the rules of the default bus and the bus policy.
type EventBridge struct {
	Rules     []EventRule `json:"rules,omitempty"`
	BusPolicy string      `json:"bus_policy,omitempty"`
}

// EventRule is an EventBridge rule with its targets.
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
	Arn           string            `json:"arn"`
	Policy        string            `json:"policy,omitempty"`
	KMSKeyID      string            `json:"kms_key_id,omitempty"`
	Subscriptions []Subscription    `json:"subscriptions,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
}

// Subscription of a topic; Confirmed is false while PendingConfirmation.
type Subscription struct {
	Protocol  string `json:"protocol"`
	Endpoint  string `json:"endpoint"`
	Confirmed bool   `json:"confirmed"`
}
