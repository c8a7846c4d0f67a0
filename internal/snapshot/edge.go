package snapshot

// Shield is the Shield Advanced subscription state (global).
type Shield struct {
	Subscribed bool `json:"subscribed"`
}

// WAF lists regional web ACLs and the resources they protect.
type WAF struct {
	WebACLs []WebACL `json:"web_acls,omitempty"`
}

// WebACL is a WAFv2 web ACL.
type WebACL struct {
	Name      string   `json:"name"`
	Arn       string   `json:"arn"`
	Resources []string `json:"resources,omitempty"`
}

// CloudFront lists distributions (global).
type CloudFront struct {
	Distributions []Distribution `json:"distributions,omitempty"`
}

// Distribution is a CloudFront distribution.
type Distribution struct {
	ID       string `json:"id"`
	Arn      string `json:"arn"`
	Domain   string `json:"domain"`
	WebACLID string `json:"web_acl_id,omitempty"`
}
