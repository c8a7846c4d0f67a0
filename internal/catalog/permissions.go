package catalog

import (
	"sort"
	"strings"
)

// actionOf maps reads whose IAM action is not named like the API operation.
var actionOf = map[string]string{
	"s3:ListBuckets":                                "s3:ListAllMyBuckets",
	"s3:GetBucketEncryption":                        "s3:GetEncryptionConfiguration",
	"s3:GetPublicAccessBlock":                       "s3:GetBucketPublicAccessBlock",
	"s3:GetBucketLifecycleConfiguration":            "s3:GetLifecycleConfiguration",
	"s3:GetBucketReplication":                       "s3:GetReplicationConfiguration",
	"s3:ListBucketInventoryConfigurations":          "s3:GetInventoryConfiguration",
	"s3:GetObjectLockConfiguration":                 "s3:GetBucketObjectLockConfiguration",
	"s3:GetBucketOwnershipControls":                 "s3:GetBucketOwnershipControls",
	"s3:GetBucketNotificationConfiguration":         "s3:GetBucketNotification",
	"s3control:GetPublicAccessBlock":                "s3:GetAccountPublicAccessBlock",
	"budgets:DescribeBudgets":                       "budgets:ViewBudget",
	"budgets:DescribeBudgetNotificationsForAccount": "budgets:ViewBudget",
}

// IAMAction returns the IAM action that allows a read ("service:Operation"):
// the same name for most services, another for S3 and Budgets.
func IAMAction(read string) string {
	if a, ok := actionOf[read]; ok {
		return a
	}
	if svc, op, ok := strings.Cut(read, ":"); ok && svc == "s3control" {
		return "s3:" + op
	}
	return read
}

// Permissions lists the IAM actions the audit needs: the reads of every control.
func Permissions() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range All() {
		for _, r := range c.Reads {
			if a := IAMAction(r); !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}
