package snapshot

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestWriteReadRoundTrip(t *testing.T) {
	s := &Snapshot{SchemaVersion: SchemaVersion, CollectedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ToolVersion: "t",
		Organization: &Organization{ID: "o-1", ManagementAccountID: "111111111111", Member: true},
		Accounts: []*Account{
			{AccountID: "222222222222", Regions: map[string]*Region{"eu-west-1": {EC2: &EC2{EBSEncryptionByDefault: true}}}},
			{AccountID: "111111111111", Regions: map[string]*Region{}},
		},
		Errors: []Error{{AccountID: "2", Service: "s3"}, {AccountID: "1", Service: "iam"}},
	}
	s.Normalize()
	if s.Accounts[0].AccountID != "111111111111" || s.Errors[0].AccountID != "1" {
		t.Fatal("Normalize did not sort accounts and errors")
	}
	path := filepath.Join(t.TempDir(), "s.json.gz")
	if err := s.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip differs:\n%+v\n%+v", got, s)
	}
	if got.ManagementAccountID() != "111111111111" || got.Account("222222222222") == nil {
		t.Fatal("lookups")
	}
}

func TestReadRejectsOtherSchemaVersions(t *testing.T) {
	_, err := Read(strings.NewReader(`{"schema_version": 99}`))
	if err == nil || !strings.Contains(err.Error(), "schema_version 99") {
		t.Fatalf("err = %v", err)
	}
	var buf bytes.Buffer
	if err := (&Snapshot{SchemaVersion: SchemaVersion}).Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(&buf); err != nil {
		t.Fatalf("gzip snapshot: %v", err)
	}
}

func TestCategorize(t *testing.T) {
	cases := []struct {
		a    Account
		want string
	}{
		{Account{Tags: map[string]string{"category": "Production"}}, "prod"},
		{Account{Tags: map[string]string{"environment": "staging"}}, "dev"},
		{Account{OUPath: "/Workloads/Prod"}, "prod"},
		{Account{OUPath: "/Security"}, "security"},
		{Account{OUPath: "/Infrastructure/Log_Archive"}, "log-archive"},
		{Account{OUPath: "/Misc"}, ""},
	}
	for _, c := range cases {
		if got := Categorize(&c.a); got != c.want {
			t.Errorf("Categorize(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
}
