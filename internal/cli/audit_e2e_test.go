package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/demo"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// run runs the command line and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func decodeAudit(t *testing.T, s string) *audit.Result {
	t.Helper()
	var res audit.Result
	if err := json.Unmarshal([]byte(s), &res); err != nil {
		t.Fatalf("audit JSON: %v\n%s", err, s)
	}
	return &res
}

// TestAuditInsecureOrganization is the acceptance test: a 4-account
// organization built through the AWS APIs with deliberate weaknesses, audited
// from the command line in two regions.
func TestAuditInsecureOrganization(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	org, err := fixture.BuildInsecure(ctx, moto.Config(t), demo.Regions)
	if err != nil {
		t.Fatal(err)
	}
	work, sec := org.AccountID("workload"), org.AccountID("security")
	snapPath := filepath.Join(t.TempDir(), "snap.json.gz")

	code, stdout, stderr := run(t, "audit", "--org", "--regions", strings.Join(demo.Regions, ","), "--format", "json", "--save-snapshot", snapPath)
	if code != ExitOK {
		t.Fatalf("audit exit %d: %s", code, stderr)
	}
	res := decodeAudit(t, stdout)

	// Each weakness is a FAIL on the right account, region and resource.
	fails := []struct{ control, account, region, resource string }{
		{"iam.password-policy", work, "", ""},
		{"iam.console-users-mfa", work, "", "alice"},
		{"s3.bucket-not-public", work, "", org.PublicBucket},
		{"ec2.imdsv2", work, "us-east-1", org.IMDSv1Instance},
		{"vpc.no-admin-ports-open", work, "us-east-1", org.OpenSSHGroup},
		{"ec2.no-public-instances", work, "us-east-1", org.IMDSv1Instance},
		{"ebs.default-encryption", work, "eu-west-1", ""},
	}
	for _, acct := range []string{org.Management, sec, org.AccountID("log-archive"), work} {
		for _, r := range demo.Regions {
			fails = append(fails, struct{ control, account, region, resource string }{"vpc.no-default-vpc", acct, r, "vpc-"})
		}
	}
	for _, f := range fails {
		expect(t, res, f.control, f.account, f.region, f.resource, catalog.StatusFail)
	}
	// The strong settings pass.
	expect(t, res, "iam.password-policy", sec, "", "", catalog.StatusPass)
	expect(t, res, "ebs.default-encryption", work, "us-east-1", "", catalog.StatusPass)
	// What the emulator cannot answer is an ERROR naming the operation.
	for _, acct := range []string{org.Management, work} {
		e := expect(t, res, "iam.access-analyzer", acct, "us-east-1", "", catalog.StatusError)
		if !strings.Contains(e.Reason, "ListAnalyzers") {
			t.Errorf("iam.access-analyzer ERROR does not name the operation: %q", e.Reason)
		}
	}
	// Every account-scoped control yields a finding for every account.
	for _, c := range catalog.All() {
		if c.Unit == catalog.PerOrg {
			continue
		}
		for _, acct := range []string{org.Management, sec, org.AccountID("log-archive"), work} {
			if len(findings(res, c.ID, acct, "*", "*")) == 0 {
				t.Errorf("%s: no finding for account %s", c.ID, acct)
			}
		}
	}
	if res.Summary.Accounts != 4 || len(res.Summary.Maturity) != 4 {
		t.Errorf("summary = %+v", res.Summary)
	}

	// Offline: the saved snapshot gives exactly the same findings.
	code, stdout2, stderr := run(t, "audit", "--snapshot", snapPath, "--format", "json")
	if code != ExitOK {
		t.Fatalf("offline audit exit %d: %s", code, stderr)
	}
	if off := decodeAudit(t, stdout2); !reflect.DeepEqual(off, res) {
		t.Fatalf("offline audit differs from the online one")
	}

	// `collect` then `audit --snapshot` gives the same findings too.
	collected := filepath.Join(t.TempDir(), "collected.json.gz")
	if code, _, stderr := run(t, "collect", "--org", "--regions", strings.Join(demo.Regions, ","), "-o", collected); code != ExitOK {
		t.Fatalf("collect exit %d: %s", code, stderr)
	}
	code, stdout3, stderr := run(t, "audit", "--snapshot", collected, "--format", "json")
	if code != ExitOK {
		t.Fatalf("audit of the collected snapshot: exit %d: %s", code, stderr)
	}
	if off := decodeAudit(t, stdout3); !reflect.DeepEqual(off.Findings, res.Findings) {
		t.Fatalf("collect + audit --snapshot differs from the online audit")
	}

	// --fail-on turns findings into exit code 1.
	if code, _, _ := run(t, "audit", "--snapshot", snapPath, "--fail-on", "high", "--format", "json"); code != ExitFindings {
		t.Errorf("--fail-on high: exit %d, want %d", code, ExitFindings)
	}
}

func findings(res *audit.Result, control, account, region, resource string) []catalog.Finding {
	var out []catalog.Finding
	for _, f := range res.Findings {
		if f.ControlID != control || (account != "*" && f.AccountID != account) || (region != "*" && f.Region != region) {
			continue
		}
		if resource != "*" && !(resource == "" && f.Resource == "" || resource != "" && strings.Contains(f.Resource, resource)) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// expect asserts a finding with the status exists for the unit; resource ""
// means the unit itself, otherwise a substring of the resource (id or ARN).
func expect(t *testing.T, res *audit.Result, control, account, region, resource string, want catalog.Status) catalog.Finding {
	t.Helper()
	fs := findings(res, control, account, region, resource)
	for _, f := range fs {
		if f.Status == want {
			return f
		}
	}
	t.Errorf("%s account=%s region=%q resource=%q: want %s, got %+v", control, account, region, resource, want, fs)
	return catalog.Finding{}
}
