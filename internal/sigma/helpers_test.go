package sigma

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"
)

// findSharedData looks for shared/data/<sub> in the working directory and
// its parents: the repository sits next to ../shared.
func findSharedData(sub string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, "shared", "data", sub)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// loadSigmaHQ loads the SigmaHQ CloudTrail rules, keyed by file name.
func loadSigmaHQ(tb testing.TB) ([]*Rule, map[string]*Rule) {
	tb.Helper()
	rules, errs := LoadDir(os.DirFS(shareddata.Dir(tb, "sigma-aws-cloudtrail")), ".")
	for _, err := range errs {
		tb.Error(err)
	}
	byFile := map[string]*Rule{}
	for _, r := range rules {
		byFile[r.File] = r
	}
	return rules, byFile
}

// decodeEvent turns JSON text into a MapEvent, with float64 numbers.
func decodeEvent(tb testing.TB, text string) *MapEvent {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		tb.Fatalf("bad test event %s: %v", text, err)
	}
	return &MapEvent{Fields: m}
}

// detectionRule wraps a detection section (YAML, unindented) into a rule.
func detectionRule(tb testing.TB, detection string) *Rule {
	tb.Helper()
	r, err := ParseRule([]byte(ruleYAML("test-rule", detection)))
	if err != nil {
		tb.Fatalf("parse: %v\n%s", err, detection)
	}
	return r
}

func ruleYAML(id, detection string) string {
	return "title: test\nid: " + id + "\nlogsource:\n  product: aws\ndetection:\n" + indent(detection)
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}
