package controls

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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
	Fix: &catalog.Fix{
		// In the shared-services account's home region. A state bucket that
		// falls short is fixed where it is rather than replaced: it holds
		// the state.
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 || p.DesignatedOrBlock("shared") == nil {
				return
			}
			planStateBucket(p)
			planLockTable(p)
		},
		Ops: opsOf(bucketOps, map[string]catalog.Op{
			"table": decodedOp(func(ctx context.Context, cfg aws.Config, want lockTableSpec) error {
				return createLockTable(ctx, dynamodb.NewFromConfig(cfg), want)
			}),
		}),
	},
})

// bucketGap is what a bucket lacks, in words, and the narrow fix of it.
type bucketGap struct {
	words string
	fix   func(catalog.Where, *snapshot.Bucket)
}

// stateBucketGaps lists what keeps a state bucket from serving.
func stateBucketGaps(b *snapshot.Bucket, account *snapshot.PublicAccessBlock) []bucketGap {
	var gaps []bucketGap
	if b.Versioning != "Enabled" {
		gaps = append(gaps, bucketGap{"not versioned", planVersioning})
	}
	if b.Encryption == "" {
		gaps = append(gaps, bucketGap{"not encrypted by default", planEncryption})
	}
	if x, err := bucketExposure(b, account); err != nil || len(x.public) > 0 {
		gaps = append(gaps, bucketGap{"public", planBlockPublicAccess})
	}
	return gaps
}

// planStateBucket fixes the first state bucket (ours first) where it is, or
// creates ours in the home region.
func planStateBucket(p *catalog.Planner) {
	a := p.Account
	name := tfStateBucket(p.Settings, a.AccountID)
	var pick *snapshot.Bucket
	for i := range a.Global.S3.Buckets {
		b := &a.Global.S3.Buckets[i]
		if !isStateBucket(b) {
			continue
		}
		if len(stateBucketGaps(b, a.Global.S3.AccountPublicAccessBlock)) == 0 {
			return
		}
		if pick == nil || b.Name == name {
			pick = b
		}
	}
	if pick == nil {
		region := p.Settings.HomeRegion
		planBucket(p, a.AccountID, bucketSpec{Name: name, Region: region, Statements: []iamStatement{tlsOnlyStatement(region, name)}})
		return
	}
	for _, g := range stateBucketGaps(pick, a.Global.S3.AccountPublicAccessBlock) {
		g.fix(p.At(a.AccountID, pick.Region), pick)
	}
}

// lockTableSpec is the DynamoDB table Terraform's S3 backend locks with.
type lockTableSpec struct {
	Name        string            `json:"name"`
	HashKey     string            `json:"hash_key"`
	BillingMode string            `json:"billing_mode"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// planLockTable creates the lock table in the home region, unless a table
// of that name holds something else.
func planLockTable(p *catalog.Planner) {
	if table, _ := lockTable(p.Snap, p.Account); table != "" {
		return
	}
	region, name := p.Settings.HomeRegion, tfLockTable(p.Settings)
	arn := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", partitionOf(region), region, p.Account.AccountID, name)
	where := p.At(p.Account.AccountID, region)
	if r := p.Account.Regions[region]; r == nil || r.DynamoDB == nil {
		where.Block(arn, "the home region %s was not assessed: cannot tell whether the table exists", region)
		return
	}
	for _, t := range p.Account.Regions[region].DynamoDB.Tables {
		if t.Name == name {
			where.Block(arn, "table %s exists with hash key %q, not LockID: rename or delete it", name, t.HashKey)
			return
		}
	}
	where.Create("table", arn, lockTableSpec{Name: name, HashKey: "LockID", BillingMode: string(ddbtypes.BillingModePayPerRequest),
		Tags: catalog.ManagedTags(nil)})
}

type tableCreator interface {
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
}

// createLockTable creates the table; ResourceInUse means a re-run found it.
func createLockTable(ctx context.Context, c tableCreator, want lockTableSpec) error {
	tags := tagList(want.Tags, func(k, v *string) ddbtypes.Tag { return ddbtypes.Tag{Key: k, Value: v} })
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(want.Name), Tags: tags,
		BillingMode:          ddbtypes.BillingMode(want.BillingMode),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(want.HashKey), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(want.HashKey), KeyType: ddbtypes.KeyTypeHash}},
	})
	if hasCode(err, "ResourceInUseException") {
		return nil
	}
	return err
}

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
		if gaps := stateBucketGaps(b, a.Global.S3.AccountPublicAccessBlock); len(gaps) > 0 {
			var words []string
			for _, g := range gaps {
				words = append(words, g.words)
			}
			problems = append(problems, fmt.Sprintf("state bucket %s is %s", b.Name, strings.Join(words, ", ")))
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
