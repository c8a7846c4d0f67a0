// Package snapshot holds what collection saw of an AWS Organization, and what it
// could not read. A snapshot is the only input of the checks, so an audit can be
// re-run offline and gives the same findings as the online run it came from.
package snapshot

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	json "github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"
)

// SchemaVersion is bumped on every incompatible change of the JSON shape.
const SchemaVersion = 1

// Snapshot is the versioned document written by `baseline collect`.
type Snapshot struct {
	SchemaVersion int           `json:"schema_version"`
	CollectedAt   time.Time     `json:"collected_at"`
	ToolVersion   string        `json:"tool_version"`
	Organization  *Organization `json:"organization"`
	// CallerAccountID is the account whose credentials ran the collection.
	CallerAccountID string     `json:"caller_account_id,omitempty"`
	Regions         []string   `json:"regions"`
	Accounts        []*Account `json:"accounts"`
	Errors          []Error    `json:"errors"`
}

// Account is one assessed AWS account: its place in the organization, its
// account-wide ("global") state and its per-region state.
type Account struct {
	AccountID string            `json:"account_id"`
	Name      string            `json:"name"`
	Email     string            `json:"email"`
	Status    string            `json:"status,omitempty"`
	JoinedAt  *time.Time        `json:"joined_at,omitempty"`
	OUPath    string            `json:"ou_path"`
	OUID      string            `json:"ou_id,omitempty"`
	Category  string            `json:"category"`
	Tags      map[string]string `json:"tags,omitempty"`
	// Unreachable is set when no credentials could be had for the account
	// (AssumeRole failed); every control of the account is then ERROR.
	Unreachable string             `json:"unreachable,omitempty"`
	Global      Global             `json:"global"`
	Regions     map[string]*Region `json:"regions"`
}

// Global is the account-wide state: services that are not regional, or whose
// regional copy is read once from the home region.
type Global struct {
	Account  *AccountSettings `json:"account,omitempty"`
	IAM      *IAM             `json:"iam,omitempty"`
	S3       *S3              `json:"s3,omitempty"`
	Budgets  *Budgets         `json:"budgets,omitempty"`
	CostAnom *CostAnomaly     `json:"cost_anomaly,omitempty"`
	Shield   *Shield          `json:"shield,omitempty"`
	CloudFr  *CloudFront      `json:"cloudfront,omitempty"`
}

// Region is the state of one account in one region.
type Region struct {
	EC2            *EC2            `json:"ec2,omitempty"`
	CloudTrail     *CloudTrail     `json:"cloudtrail,omitempty"`
	Config         *Config         `json:"config,omitempty"`
	AccessAnalyzer *AccessAnalyzer `json:"access_analyzer,omitempty"`
	KMS            *KMS            `json:"kms,omitempty"`
	Logs           *Logs           `json:"logs,omitempty"`
	CloudWatch     *CloudWatch     `json:"cloudwatch,omitempty"`
	EventBridge    *EventBridge    `json:"eventbridge,omitempty"`
	SNS            *SNS            `json:"sns,omitempty"`
	SQS            *SQS            `json:"sqs,omitempty"`
	GuardDuty      *GuardDuty      `json:"guardduty,omitempty"`
	SecurityHub    *SecurityHub    `json:"securityhub,omitempty"`
	Inspector      *Inspector      `json:"inspector,omitempty"`
	Detective      *Detective      `json:"detective,omitempty"`
	Backup         *Backup         `json:"backup,omitempty"`
	Resolver       *Resolver       `json:"route53resolver,omitempty"`
	DynamoDB       *DynamoDB       `json:"dynamodb,omitempty"`
	ECS            *ECS            `json:"ecs,omitempty"`
	ELB            *ELB            `json:"elb,omitempty"`
	WAF            *WAF            `json:"waf,omitempty"`
	Lambda         *Lambda         `json:"lambda,omitempty"`
	SecretsManager *SecretsManager `json:"secretsmanager,omitempty"`
	RDS            *RDS            `json:"rds,omitempty"`
	Tagging        *Tagging        `json:"tagging,omitempty"`
}

// Error is one read that failed. Checks that needed it report ERROR, naming the
// operation, instead of guessing PASS or FAIL.
type Error struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// Resource is set when the read concerned one resource (a bucket policy,
	// a key's rotation status); empty when the whole listing failed.
	Resource string `json:"resource,omitempty"`
	Code     string `json:"code"`
	// Class is the classification of Code: access_denied, throttled,
	// unsupported, opt_in_required, not_found or other.
	Class   string `json:"class"`
	Message string `json:"message"`
}

// Account returns the account with the given id, or nil.
func (s *Snapshot) Account(id string) *Account {
	for _, a := range s.Accounts {
		if a.AccountID == id {
			return a
		}
	}
	return nil
}

// ManagementAccountID is the organization's management account, or "".
func (s *Snapshot) ManagementAccountID() string {
	if s.Organization == nil {
		return ""
	}
	return s.Organization.ManagementAccountID
}

// Normalize sorts every list whose order AWS does not guarantee, so that two
// collections of the same state serialize identically.
func (s *Snapshot) Normalize() {
	sort.Slice(s.Accounts, func(i, j int) bool { return s.Accounts[i].AccountID < s.Accounts[j].AccountID })
	sort.Strings(s.Regions)
	sort.Slice(s.Errors, func(i, j int) bool {
		a, b := s.Errors[i], s.Errors[j]
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return a.Resource < b.Resource
	})
}

// Write encodes the snapshot as gzip JSON.
func (s *Snapshot) Write(w io.Writer) error {
	zw := gzip.NewWriter(w)
	enc := json.NewEncoder(zw)
	enc.SetIndent("", " ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	return zw.Close()
}

// WriteFile writes the snapshot atomically: a crash never leaves half a file.
func (s *Snapshot) WriteFile(path string) error {
	tmp, err := os.CreateTemp(dirOf(path), ".snapshot-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := s.Write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Read decodes a snapshot, gzip or plain JSON.
func Read(r io.Reader) (*Snapshot, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, _ := br.Peek(2)
	var src io.Reader = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		src = zr
	}
	var s Snapshot
	if err := json.NewDecoder(src).Decode(&s); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	if s.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("snapshot schema_version %d is not supported (this build reads %d)", s.SchemaVersion, SchemaVersion)
	}
	return &s, nil
}

// ReadFile reads a snapshot file written by WriteFile.
func ReadFile(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' || path[i] == os.PathSeparator {
			return path[:i+1]
		}
	}
	return "."
}
