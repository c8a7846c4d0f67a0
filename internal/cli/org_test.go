package cli

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/secure-baseline/baseline/internal/demo"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// TestOrgInventoryCSV: the 4-account organization, listed with OU, category
// and contacts, and what is wrong with each account flagged.
func TestOrgInventoryCSV(t *testing.T) {
	moto.Start(t)
	org, err := fixture.BuildInsecure(context.Background(), moto.Config(t), demo.Regions)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := account.NewFromConfig(org.Config(org.AccountID("security"))).PutAlternateContact(context.Background(), &account.PutAlternateContactInput{
		AlternateContactType: accounttypes.AlternateContactTypeSecurity, Name: aws.String("SecOps"), EmailAddress: aws.String("secops@example.com"),
		PhoneNumber: aws.String("+1-555-0100"), Title: aws.String("Security team")}); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "baseline.yaml")
	if err := os.WriteFile(cfg, []byte("version: 1\norganization:\n  company_email_domains: [example.com]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "org", "-f", cfg, "--format", "csv")
	if code != ExitOK {
		t.Fatalf("org exit %d: %s", code, stderr)
	}
	records, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	for _, h := range []string{"account_id", "ou_path", "category", "owner", "security_contact", "operations_contact", "billing_contact", "issues"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("no %s column in %v", h, records[0])
		}
	}
	rows := map[string][]string{}
	for _, r := range records[1:] {
		rows[r[col["account_id"]]] = r
	}
	if len(rows) != 4 {
		t.Fatalf("%d accounts listed, want 4:\n%s", len(rows), stdout)
	}
	want := map[string]struct{ ou, category, owner string }{
		org.Management:               {"/", "management", ""},
		org.AccountID("security"):    {"/Security", "security", "security-team"},
		org.AccountID("log-archive"): {"/Security", "log-archive", "security-team"},
		org.AccountID("workload"):    {"/Workloads", "", ""},
	}
	for id, w := range want {
		r := rows[id]
		if r == nil {
			t.Fatalf("account %s missing", id)
		}
		if r[col["ou_path"]] != w.ou || r[col["category"]] != w.category || r[col["owner"]] != w.owner {
			t.Errorf("%s: ou %q category %q owner %q, want %+v", id, r[col["ou_path"]], r[col["category"]], r[col["owner"]], w)
		}
	}
	if got := rows[org.AccountID("security")][col["security_contact"]]; got != "SecOps <secops@example.com>" {
		t.Errorf("security account's security contact %q", got)
	}
	issues := rows[org.AccountID("workload")][col["issues"]]
	for _, want := range []string{"root email outside the company domains", "no category", "no owner", "no security contact"} {
		if !strings.Contains(issues, want) {
			t.Errorf("workload issues %q lack %q", issues, want)
		}
	}
	if strings.Contains(rows[org.AccountID("security")][col["issues"]], "outside") {
		t.Errorf("security account flagged: %s", rows[org.AccountID("security")][col["issues"]])
	}
}
