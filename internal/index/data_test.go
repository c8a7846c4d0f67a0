package index

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

// sampleDirs are the real CloudTrail samples: Stratus Red Team detonations
// and TrailDiscover events.
func sampleDirs(t testing.TB) []string {
	t.Helper()
	data := sharedData(t)
	return []string{
		filepath.Join(data, "cloudtrail", "stratus-red-team"),
		filepath.Join(data, "cloudtrail", "traildiscover"),
	}
}
