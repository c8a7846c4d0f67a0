package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "s3.bucket-not-public",
	Title:    "No bucket is public by policy or ACL",
	Stage:    "F6",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.Critical,
	Rationale: "Public buckets are the most common source of cloud data leaks: a statement allowing Principal \"*\" " +
		"or an ACL grant to AllUsers exposes the data to anyone who guesses the name. Block Public Access " +
		"neutralises both; without it, the policy and ACL themselves must be private.",
	Steps: "Remove the public statements and grants, or serve public content through CloudFront with origin access " +
		"control, and turn on Block Public Access on the bucket and the account.\n" +
		"Console: S3 > the bucket > Permissions > Block public access > Edit > Block all; then Bucket policy and ACL.\n" +
		"CLI: aws s3api put-public-access-block --bucket <b> --public-access-block-configuration " +
		"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
		"     aws s3api put-bucket-acl --bucket <b> --acl private",
	Reads: []string{"s3:ListBuckets", "s3control:GetPublicAccessBlock"},
	Check: func(e *catalog.Eval) {
		s := s3Of(e)
		if s == nil {
			return
		}
		if len(s.Buckets) == 0 {
			e.Pass("", "no bucket in the account")
			return
		}
		for i := range s.Buckets {
			b := &s.Buckets[i]
			arn := bucketARN(b.Region, b.Name)
			if err := bucketReadFailed(e.Snap, e.Account.AccountID, b, bucketExposureReads...); err != nil {
				e.ReadFailed(arn, err)
				continue
			}
			x, err := bucketExposure(b, s.AccountPublicAccessBlock)
			if err != nil {
				e.Errorf(arn, "bucket %s: %v", b.Name, err)
				continue
			}
			// Block Public Access matters only once something is public.
			if len(x.public)+len(x.blocked) > 0 {
				if err := bucketReadFailed(e.Snap, e.Account.AccountID, b, "s3:GetPublicAccessBlock"); err != nil {
					e.ReadFailed(arn, err)
					continue
				}
			}
			switch {
			case len(x.public) > 0:
				e.Fail(arn, "bucket %s is public: %s; remove them or turn on Block Public Access", b.Name, strings.Join(x.public, "; "))
			case len(x.blocked) > 0:
				e.Pass(arn, "bucket %s is not public: %s", b.Name, strings.Join(x.blocked, "; "))
			default:
				e.Pass(arn, "bucket %s grants nothing to the public in its policy or ACL", b.Name)
			}
		}
	},
})
