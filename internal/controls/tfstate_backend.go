package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "tfstate.backend",
	Title:    "Terraform state lives in a versioned, encrypted, private S3 bucket with a DynamoDB lock table",
	Stage:    "F7",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "Terraform state holds every resource's attributes, secrets included, and is the source of truth for " +
		"every change. Versioning recovers it from a bad apply, encryption and privacy keep the secrets in, and a " +
		"lock table stops two applies from corrupting it.",
	Steps: "In the shared-services account, create the state bucket (versioning, default encryption, Block Public " +
		"Access) and a lock table with partition key LockID, then configure the backend.\n" +
		"CLI: aws s3api create-bucket --bucket <org>-terraform-state\n" +
		"     aws s3api put-bucket-versioning --bucket <org>-terraform-state --versioning-configuration Status=Enabled\n" +
		"     aws s3api put-public-access-block --bucket <org>-terraform-state --public-access-block-configuration " +
		"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
		"     aws dynamodb create-table --table-name terraform-locks --attribute-definitions AttributeName=LockID,AttributeType=S " +
		"--key-schema AttributeName=LockID,KeyType=HASH --billing-mode PAY_PER_REQUEST\n" +
		"Terraform: backend \"s3\" { bucket = \"<org>-terraform-state\", key = \"...\", dynamodb_table = \"terraform-locks\", encrypt = true }",
	Reads: []string{"s3:ListBuckets", "dynamodb:ListTables"},
	Knob:  "organization.shared_services_account",
	NotApplicable: func(e *catalog.Eval) string {
		if shared := e.Designated("shared"); shared != nil && shared.AccountID != e.Account.AccountID {
			return "Terraform state is checked in the shared-services account " + accountLabel(shared)
		}
		return ""
	},
	Check: func(e *catalog.Eval) {
		if s3Of(e) == nil {
			return
		}
		for _, r := range e.Account.Regions {
			if r.DynamoDB == nil {
				e.NotCollected("dynamodb")
				return
			}
		}
		backend, problems, err := tfBackend(e.Snap, e.Account)
		switch {
		case err != nil:
			e.ReadFailed("", err)
			return
		case backend != "":
			e.Pass("", "%s", backend)
			return
		}
		// Without a designated shared-services account, one backend for the
		// whole organization is enough, wherever it lives.
		if e.Designated("shared") == nil {
			for _, a := range e.Snap.Accounts {
				if a.AccountID == e.Account.AccountID || a.Global.S3 == nil {
					continue
				}
				if other, _, err := tfBackend(e.Snap, a); err == nil && other != "" {
					e.Pass("", "no shared-services account is designated; account %s keeps the Terraform state: %s", accountLabel(a), other)
					return
				}
			}
		}
		e.Fail("", "%s", strings.Join(problems, "; "))
	},
})

// tfBackend looks for a Terraform backend in an account: a state bucket
// (named or tagged for Terraform state) that is versioned, encrypted and
// private, and a table whose hash key is LockID. It describes the backend
// found, or what is missing.
func tfBackend(snap *snapshot.Snapshot, a *snapshot.Account) (string, []string, *snapshot.Error) {
	var bucket string
	var problems []string
	candidates := 0
	for i := range a.Global.S3.Buckets {
		b := &a.Global.S3.Buckets[i]
		if !isStateBucket(b) {
			continue
		}
		candidates++
		if err := bucketReadFailed(snap, a.AccountID, b, "s3:GetBucketVersioning", "s3:GetBucketEncryption",
			"s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetPublicAccessBlock", "s3:GetBucketTagging"); err != nil {
			return "", nil, err
		}
		var gaps []string
		if b.Versioning != "Enabled" {
			gaps = append(gaps, "not versioned")
		}
		if b.Encryption == "" {
			gaps = append(gaps, "not encrypted by default")
		}
		x, err := bucketExposure(b, a.Global.S3.AccountPublicAccessBlock)
		if err != nil || len(x.public) > 0 {
			gaps = append(gaps, "public")
		}
		if len(gaps) > 0 {
			problems = append(problems, fmt.Sprintf("state bucket %s is %s", b.Name, strings.Join(gaps, ", ")))
			continue
		}
		bucket = b.Name
		break
	}
	if candidates == 0 {
		problems = append(problems, "no S3 bucket is named or tagged for Terraform state (e.g. <org>-terraform-state)")
	}
	table, err := lockTable(snap, a)
	if err != nil {
		return "", nil, err
	}
	if table == "" {
		problems = append(problems, "no DynamoDB table has the hash key LockID")
	}
	if bucket == "" || table == "" {
		return "", problems, nil
	}
	return fmt.Sprintf("state bucket %s is versioned, encrypted and private; lock table %s", bucket, table), nil, nil
}

// isStateBucket reports whether a bucket's name or tags say it holds
// Terraform state.
func isStateBucket(b *snapshot.Bucket) bool {
	says := func(s string) bool {
		s = strings.ToLower(s)
		return strings.Contains(s, "terraform") || strings.Contains(s, "tfstate") || strings.Contains(s, "tf-state")
	}
	if says(b.Name) {
		return true
	}
	for k, v := range b.Tags {
		if says(k) || says(v) {
			return true
		}
	}
	return false
}

// lockTable returns "name (region)" of a table of the account keyed on
// LockID, the key Terraform's S3 backend locks with. A table that could not
// be described might have been it.
func lockTable(snap *snapshot.Snapshot, a *snapshot.Account) (string, *snapshot.Error) {
	var unread *snapshot.Error
	for _, region := range assessedRegions(a) {
		d := a.Regions[region].DynamoDB
		if d == nil {
			continue
		}
		for _, t := range d.Tables {
			if t.HashKey == "LockID" {
				return fmt.Sprintf("%s (%s)", t.Name, region), nil
			}
			if err := failedReadIn(snap, a.AccountID, region, "dynamodb:DescribeTable", t.Name); err != nil {
				unread = err
			}
		}
	}
	return "", unread
}
