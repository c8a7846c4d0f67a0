package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "s3.bucket-tls-only",
	Title:    "Bucket policies deny requests that do not use TLS",
	Stage:    "F9",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	CIS:      []string{"3.1.1"},
	Rationale: "S3 answers plain HTTP too: a client or SDK misconfigured to use it sends data and signed requests " +
		"in clear text. Only a bucket policy denying aws:SecureTransport=false guarantees every request is encrypted in transit.",
	Steps: "Add this statement to every bucket policy:\n" +
		"{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\"," +
		"\"Resource\":[\"arn:aws:s3:::<b>\",\"arn:aws:s3:::<b>/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}\n" +
		"Console: S3 > the bucket > Permissions > Bucket policy > Edit.\n" +
		"CLI: aws s3api put-bucket-policy --bucket <b> --policy file://policy.json",
	Reads: []string{"s3:ListBuckets"},
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
			if err := bucketReadFailed(e.Snap, e.Account.AccountID, b, "s3:GetBucketPolicy"); err != nil {
				e.ReadFailed(arn, err)
				continue
			}
			st, err := deniesInsecureTransport(b.Policy, arn+"/any-object")
			switch {
			case err != nil:
				e.Errorf(arn, "bucket %s: %v", b.Name, err)
			case b.Policy == "":
				e.Fail(arn, "bucket %s has no bucket policy, so it accepts plain HTTP: add a Deny on aws:SecureTransport=false", b.Name)
			case st == "":
				e.Fail(arn, "bucket %s's policy does not deny s3:* to everyone when aws:SecureTransport is false", b.Name)
			default:
				e.Pass(arn, "bucket %s's policy denies requests without TLS (%s)", b.Name, st)
			}
		}
	},
})
