package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenFiles names the golden file of each rendering of the fixture.
var goldenFiles = []struct {
	format, file string
	color        bool
}{
	{"table", "report.txt", false},
	{"table", "report-color.txt", true},
	{"json", "report.json", false},
	{"csv", "report.csv", false},
	{"ocsf", "report.ocsf.json", false},
	{"asff", "report.asff.json", false},
	{"sarif", "report.sarif", false},
	{"junit", "report.junit.xml", false},
	{"html", "report.html", false},
}

func TestGolden(t *testing.T) {
	covered := map[string]bool{}
	for _, g := range goldenFiles {
		covered[g.format] = true
		t.Run(g.file, func(t *testing.T) {
			in := fixture()
			in.Color = g.color
			got := render(t, g.format, in)
			path := filepath.Join("testdata", g.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./internal/report -update and review the diff", path)
			}
		})
	}
	for _, f := range Formats() {
		if !covered[f] {
			t.Errorf("format %s has no golden file", f)
		}
	}
}

func render(t *testing.T, format string, in Input) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, in); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}
