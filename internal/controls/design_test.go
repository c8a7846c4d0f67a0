package controls_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/secure-baseline/baseline/internal/catalog"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/testutil/shareddata"
)

// The control ids of the design's table are a contract: every one must be in
// the catalog, with the stage and kind the table gives.
func TestCatalogHoldsTheDesignTable(t *testing.T) {
	design := filepath.Join(filepath.Dir(shareddata.Dir(t)), "design.md")
	b, err := os.ReadFile(design)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| ([a-z0-9]+(?:\.[a-z0-9-]+)+) \| [^|]+ \| ([FMC]\d+) \| (automated|detective|manual) \|`)
	rows := row.FindAllStringSubmatch(string(b), -1)
	if len(rows) < 80 {
		t.Fatalf("found %d control rows in %s: the table's format changed?", len(rows), design)
	}
	for _, r := range rows {
		c, ok := catalog.Get(r[1])
		if !ok {
			t.Errorf("%s: in the design table, not in the catalog", r[1])
			continue
		}
		if c.Stage != r[2] || string(c.Kind) != r[3] {
			t.Errorf("%s: catalog has %s/%s, the design %s/%s", r[1], c.Stage, c.Kind, r[2], r[3])
		}
	}
}
