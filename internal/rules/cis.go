package rules

// CISItem is one CIS AWS Foundations Benchmark monitoring recommendation and
// the built-in rules that, together, alert on every event of its metric
// filter.
type CISItem struct {
	ID      string // v7 numbering: "5.1" (4.x and 3.x in older versions)
	Title   string
	RuleIDs []string
}

// CISMonitoring returns the CIS monitoring list (5.1–5.16) with the built-in
// rules covering each item. 5.1's first rule is the benchmark's filter itself,
// which the pack only reports in bursts (its second rule). The benchmark's
// 5.16 asks that Security Hub be enabled; its monitoring counterpart here is
// an alert when Security Hub is disabled or weakened.
func CISMonitoring() []CISItem {
	return []CISItem{
		{"5.1", "Unauthorized API calls", []string{
			"6048b7f3-a87b-4ae9-8d7b-06d2509144fb", // Unauthorized API call
			"7e3daa8b-0e8e-49a5-a17b-df5956548651", // Burst of unauthorized API calls by one principal
		}},
		{"5.2", "Management console sign-in without MFA", []string{"528d3cec-4b56-4d8f-9c38-cbdc16435577"}},
		{"5.3", "Usage of the root account", []string{
			"f02b89ee-cf80-4806-8b10-e4b90fa2420e", // Root user console sign-in
			"5874f12a-d99d-4f80-9887-b628d4cc7d1d", // Root user API or console activity
		}},
		{"5.4", "IAM policy changes", []string{"37ebec30-b5ba-41c8-9f93-0d9db48ebd0d"}},
		{"5.5", "CloudTrail configuration changes", []string{"5d8011ab-7550-44c8-bdee-3a94fc22ddec"}},
		{"5.6", "AWS Management Console authentication failures", []string{"29713ab8-a8ca-42d3-8443-ffcfc3411fe5"}},
		{"5.7", "Disabling or scheduled deletion of customer-managed keys", []string{"5397d2e4-7c47-447f-9d36-5b1c48c1a076"}},
		{"5.8", "S3 bucket policy changes", []string{"749dc2c3-31f4-4459-b731-0b87ac45f2a7"}},
		{"5.9", "AWS Config configuration changes", []string{"e09b7af1-1d5a-4198-9797-65ab6aee284b"}},
		{"5.10", "Security group changes", []string{"6505b2d9-6d77-4cb2-ba50-7288d4bfc5ca"}},
		{"5.11", "Network ACL changes", []string{"41eae007-0615-4f07-bfb2-902dd586b3c5"}},
		{"5.12", "Changes to network gateways", []string{"a0c99b42-75b3-415f-8be4-922be0c43e7e"}},
		{"5.13", "Route table changes", []string{"d92e1f54-150a-41fc-b873-1e6a91e54865"}},
		{"5.14", "VPC changes", []string{"81f767dd-385e-4f4d-a417-cd5370033575"}},
		{"5.15", "AWS Organizations changes", []string{"5a5110b9-c82f-4a17-8aa2-784eceab88fa"}},
		{"5.16", "AWS Security Hub changes", []string{"b5308b3d-2834-444e-be24-9d865e3fba6c"}},
	}
}
