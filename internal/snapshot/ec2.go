package snapshot

// EC2 is the regional EC2/VPC state of an account.
type EC2 struct {
	EBSEncryptionByDefault bool              `json:"ebs_encryption_by_default"`
	EBSDefaultKMSKey       string            `json:"ebs_default_kms_key,omitempty"`
	VPCs                   []VPC             `json:"vpcs,omitempty"`
	Subnets                []Subnet          `json:"subnets,omitempty"`
	SecurityGroups         []SecurityGroup   `json:"security_groups,omitempty"`
	NetworkACLs            []NetworkACL      `json:"network_acls,omitempty"`
	RouteTables            []RouteTable      `json:"route_tables,omitempty"`
	InternetGateways       []InternetGateway `json:"internet_gateways,omitempty"`
	Instances              []Instance        `json:"instances,omitempty"`
	NetworkInterfaces      []ENI             `json:"network_interfaces,omitempty"`
	FlowLogs               []FlowLog         `json:"flow_logs,omitempty"`
	Endpoints              []VPCEndpoint     `json:"vpc_endpoints,omitempty"`
	// Images describes the AMIs that instances run, by image id. An id the
	// instances run that is missing here is no longer visible to the account
	// (deregistered, or no longer shared with it).
	Images         map[string]Image `json:"images,omitempty"`
	PeeringConns   []Peering        `json:"vpc_peering,omitempty"`
	TGWAttachments []TGWAttachment  `json:"tgw_attachments,omitempty"`
}

// Image is an AMI's provenance.
type Image struct {
	OwnerID string `json:"owner_id"`
	// OwnerAlias is "amazon" or "aws-marketplace" for AWS-published images.
	OwnerAlias string `json:"owner_alias,omitempty"`
	Name       string `json:"name,omitempty"`
}

// VPC is a virtual private cloud.
type VPC struct {
	ID        string            `json:"id"`
	CIDR      string            `json:"cidr"`
	IsDefault bool              `json:"is_default"`
	Tags      map[string]string `json:"tags,omitempty"`
}

// Subnet is a VPC subnet.
type Subnet struct {
	ID                  string `json:"id"`
	VPCID               string `json:"vpc_id"`
	CIDR                string `json:"cidr"`
	DefaultForAZ        bool   `json:"default_for_az"`
	MapPublicIPOnLaunch bool   `json:"map_public_ip_on_launch"`
}

// SecurityGroup with its rules flattened to one entry per CIDR/peer.
type SecurityGroup struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	VPCID   string   `json:"vpc_id"`
	Ingress []SGRule `json:"ingress,omitempty"`
	Egress  []SGRule `json:"egress,omitempty"`
}

// SGRule is one permission of a security group. Protocol "-1" means all;
// FromPort/ToPort are -1 when the protocol has no ports.
type SGRule struct {
	Protocol string `json:"protocol"`
	FromPort int32  `json:"from_port"`
	ToPort   int32  `json:"to_port"`
	// Source is a CIDR (v4 or v6), a security group id or a prefix list id.
	Source string `json:"source"`
}

// NetworkACL with its entries.
type NetworkACL struct {
	ID        string     `json:"id"`
	VPCID     string     `json:"vpc_id"`
	IsDefault bool       `json:"is_default"`
	Entries   []ACLEntry `json:"entries,omitempty"`
	// Subnets are the subnets the ACL filters; an ACL with none filters nothing.
	Subnets []string `json:"subnets,omitempty"`
}

// ACLEntry is a network ACL rule. Protocol is an IP protocol number ("6"
// for TCP) or "-1" for all; CIDR is v4 or v6.
type ACLEntry struct {
	RuleNumber int32  `json:"rule_number"`
	Egress     bool   `json:"egress"`
	Protocol   string `json:"protocol"`
	Action     string `json:"action"`
	CIDR       string `json:"cidr"`
	FromPort   int32  `json:"from_port"`
	ToPort     int32  `json:"to_port"`
}

// RouteTable lists routes; a subnet whose table routes 0.0.0.0/0 to an
// internet gateway is public.
type RouteTable struct {
	ID      string   `json:"id"`
	VPCID   string   `json:"vpc_id"`
	Main    bool     `json:"main"`
	Subnets []string `json:"subnets,omitempty"`
	Routes  []Route  `json:"routes,omitempty"`
}

// Route is one route of a route table.
type Route struct {
	Destination string `json:"destination"`
	Target      string `json:"target"`
}

// InternetGateway and the VPCs it is attached to.
type InternetGateway struct {
	ID   string   `json:"id"`
	VPCs []string `json:"vpcs,omitempty"`
}

// Instance is an EC2 instance that is not terminated. PublicIP and
// SecurityGroups cover all of its network interfaces.
type Instance struct {
	ID             string            `json:"id"`
	State          string            `json:"state"`
	ImageID        string            `json:"image_id"`
	VPCID          string            `json:"vpc_id,omitempty"`
	SubnetID       string            `json:"subnet_id,omitempty"`
	PublicIP       string            `json:"public_ip,omitempty"`
	HTTPTokens     string            `json:"http_tokens"`
	HTTPEndpoint   string            `json:"http_endpoint"`
	SecurityGroups []string          `json:"security_groups,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// ENI is a network interface; default VPCs holding any are never deleted.
type ENI struct {
	ID          string `json:"id"`
	VPCID       string `json:"vpc_id"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

// FlowLog is a VPC flow log (or subnet/ENI flow log).
type FlowLog struct {
	ID          string `json:"id"`
	ResourceID  string `json:"resource_id"`
	Status      string `json:"status"`
	Destination string `json:"destination"`
	TrafficType string `json:"traffic_type"`
	// DeliverStatus is SUCCESS or FAILED: a failing flow log records nothing.
	DeliverStatus string `json:"deliver_status,omitempty"`
}

// VPCEndpoint is a VPC endpoint.
type VPCEndpoint struct {
	ID          string `json:"id"`
	VPCID       string `json:"vpc_id"`
	ServiceName string `json:"service_name"`
	Type        string `json:"type"`
	State       string `json:"state"`
}

// Peering is a VPC peering connection.
type Peering struct {
	ID               string `json:"id"`
	RequesterAccount string `json:"requester_account"`
	RequesterVPC     string `json:"requester_vpc"`
	AccepterAccount  string `json:"accepter_account"`
	AccepterVPC      string `json:"accepter_vpc"`
	Status           string `json:"status"`
}

// TGWAttachment is a Transit Gateway attachment.
type TGWAttachment struct {
	ID            string `json:"id"`
	TGWID         string `json:"tgw_id"`
	TGWOwner      string `json:"tgw_owner"`
	ResourceOwner string `json:"resource_owner"`
	ResourceID    string `json:"resource_id"`
	ResourceType  string `json:"resource_type"`
	State         string `json:"state"`
}
