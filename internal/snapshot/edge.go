package snapshot

// Shield is the Shield Advanced subscription state (global).
type Shield struct {
	Subscribed bool `json:"subscribed"`
}

// WAF lists the regional web ACLs available to protect the region's
// resources; which resource uses which is read with the resource (ELB).
type WAF struct {
	WebACLs []WebACL `json:"web_acls,omitempty"`
}

// WebACL is a WAFv2 web ACL.
type WebACL struct {
	Name string `json:"name"`
	Arn  string `json:"arn"`
}

// CloudFront lists distributions (global).
type CloudFront struct {
	Distributions []Distribution `json:"distributions,omitempty"`
}

// Distribution is a CloudFront distribution.
type Distribution struct {
	ID     string `json:"id"`
	Arn    string `json:"arn"`
	Domain string `json:"domain"`
	// Disabled is set when CloudFront says the distribution serves nothing.
	Disabled bool `json:"disabled,omitempty"`
	// WebACLID is the ARN of a WAFv2 web ACL (or the id of a WAF Classic one).
	WebACLID string `json:"web_acl_id,omitempty"`
}
