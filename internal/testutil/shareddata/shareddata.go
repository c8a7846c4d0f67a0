// Package shareddata finds the real test data that lives beside the project
// in ../shared/data (SigmaHQ rules, Stratus Red Team and TrailDiscover
// CloudTrail samples). The project never copies it.
package shareddata

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns shared/data/<elem...>, found by walking up from the test's
// working directory. Without it the test is skipped on a developer machine
// and fails in CI (CI set), so data-driven tests never silently not run.
func Dir(t testing.TB, elem ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join(append([]string{"shared", "data"}, elem...)...)
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found above the package directory", rel)
	}
	t.Skipf("%s not found above the package directory", rel)
	return ""
}

// Records decodes the CloudTrail records of a sample file, whatever its
// shape: a JSON array of records, {"Records": [...]}, or one record.
func Records(t testing.TB, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var records []map[string]any
	if err := json.Unmarshal(raw, &records); err == nil {
		return records
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	list, ok := obj["Records"].([]any)
	if !ok {
		return []map[string]any{obj}
	}
	for _, r := range list {
		if m, ok := r.(map[string]any); ok {
			records = append(records, m)
		}
	}
	return records
}
