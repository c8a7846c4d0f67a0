package index

import (
	"path/filepath"
	"testing"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"
)

// sampleDirs are the real CloudTrail samples: Stratus Red Team detonations
// and TrailDiscover events.
func sampleDirs(t testing.TB) []string {
	t.Helper()
	data := shareddata.Dir(t)
	return []string{
		filepath.Join(data, "cloudtrail", "stratus-red-team"),
		filepath.Join(data, "cloudtrail", "traildiscover"),
	}
}
