package cloudtrail

import (
	"path/filepath"
	"testing"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"
)

// sampleFiles returns the real CloudTrail samples shipped in shared/data.
func sampleFiles(t testing.TB) []string {
	t.Helper()
	data := shareddata.Dir(t)
	stratus, err := filepath.Glob(filepath.Join(data, "cloudtrail", "stratus-red-team", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	discover, err := filepath.Glob(filepath.Join(data, "cloudtrail", "traildiscover", "*.json.cloudtrail"))
	if err != nil {
		t.Fatal(err)
	}
	if len(stratus) < 30 || len(discover) < 500 {
		t.Fatalf("expected the full samples, found %d stratus and %d traildiscover files", len(stratus), len(discover))
	}
	return append(stratus, discover...)
}
