package index

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestAthenaDDLGolden(t *testing.T) {
	for _, tc := range []struct {
		file              string
		accounts, regions []string
	}{
		{"athena-ddl-default.sql", nil, nil},
		{"athena-ddl-accounts.sql", []string{"111111111111", "222222222222"}, []string{"us-east-1", "eu-west-1"}},
	} {
		got := AthenaDDL("s3://trail-bucket/index/", tc.accounts, tc.regions)
		path := filepath.Join("testdata", tc.file)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs from the golden file; if the change is intended, run go test ./internal/index -run DDL -update and review the diff\n%s", path, got)
		}
	}
}

// The tables declare every column of the files, with the partition keys
// outside them.
func TestAthenaDDLColumnsMatchFiles(t *testing.T) {
	ddl := AthenaDDL("s3://b/p", nil, nil)
	for _, row := range []any{eventRow{}, refRow{}} {
		cols := athenaColumns(row)
		if !strings.Contains(ddl, cols) {
			t.Errorf("DDL lacks the columns\n%s", cols)
		}
		var names []string
		for _, f := range parquet.SchemaOf(row).Fields() {
			names = append(names, f.Name())
		}
		if n := strings.Count(cols, "\n") + 1; n != len(names) {
			t.Errorf("%d columns declared for %d in the files", n, len(names))
		}
		if _, ok := row.(eventRow); ok && (slices.Contains(names, "account") || slices.Contains(names, "region") || slices.Contains(names, "date")) {
			t.Errorf("events files repeat a partition key: %q", names)
		}
	}
}
