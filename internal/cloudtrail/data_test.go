package cloudtrail

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData finds ../shared/data by walking up from the package directory.
// Missing data fails the test under CI and skips it elsewhere.
func sharedData(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		candidate := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") != "" {
		t.Fatal("shared/data not found above the package directory")
	}
	t.Skip("shared/data not found above the package directory")
	return ""
}

// sampleFiles returns the real CloudTrail samples shipped in shared/data.
func sampleFiles(t testing.TB) []string {
	t.Helper()
	data := sharedData(t)
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
