package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var detectT0 = time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)

// detectEvent is a CloudTrail record of an IAM user's call.
func detectEvent(id int, name, source string, at time.Time, extra ...string) map[string]any {
	rec := map[string]any{
		"eventVersion": "1.09", "eventTime": at.Format(time.RFC3339), "eventSource": source, "eventName": name,
		"awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15",
		"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/mallory",
			"accountId": "111111111111", "userName": "mallory"},
		"eventID": fmt.Sprintf("00000000-0000-4000-8000-%012d", id), "eventType": "AwsApiCall",
		"recipientAccountId": "111111111111",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		rec[extra[i]] = extra[i+1]
	}
	return rec
}

func writeDetectTrail(t *testing.T, path string, recs ...map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"Records": recs})
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body)
	zw.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// detectFixture is a directory with a trail stopped and a burst of denied
// calls spread over two files.
func detectFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var burst []map[string]any
	for i := range 10 {
		burst = append(burst, detectEvent(100+i, "ListUsers", "iam.amazonaws.com", detectT0.Add(time.Duration(i)*time.Second), "errorCode", "AccessDenied"))
	}
	writeDetectTrail(t, filepath.Join(dir, "a.json.gz"), append([]map[string]any{
		detectEvent(1, "StopLogging", "cloudtrail.amazonaws.com", detectT0)}, burst[:5]...)...)
	writeDetectTrail(t, filepath.Join(dir, "b.json.gz"), burst[5:]...)
	return dir
}

const (
	detectStopLogging = "edb9c669-db2a-4bbc-a6d9-f39bb57bb8b7"
	detectBurst       = "7e3daa8b-0e8e-49a5-a17b-df5956548651"
)

func TestTrailDetectJSONLines(t *testing.T) {
	code, stdout, stderr := run(t, "trail", "detect", detectFixture(t), "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	keys := []string{"account_id", "event_id", "event_name", "event_source", "event_time", "level", "principal_arn", "region", "rule_id", "rule_title", "source_ip"}
	byRule := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("not one JSON object per line: %q", line)
		}
		got := make([]string, 0, len(obj))
		for k := range obj {
			got = append(got, k)
		}
		slices.Sort(got)
		want := keys
		if _, ok := obj["count"]; ok {
			want = slices.Sorted(slices.Values(append(slices.Clone(keys), "count")))
		}
		if !slices.Equal(got, want) {
			t.Errorf("keys %v, want %v", got, want)
		}
		byRule[obj["rule_id"].(string)] = obj
	}
	stop := byRule[detectStopLogging]
	want := map[string]any{"rule_title": "CloudTrail trail stopped or deleted", "level": "high", "event_id": "00000000-0000-4000-8000-000000000001",
		"event_time": "2025-03-14T10:00:00Z", "event_name": "StopLogging", "event_source": "cloudtrail.amazonaws.com", "account_id": "111111111111",
		"region": "eu-west-1", "principal_arn": "arn:aws:iam::111111111111:user/mallory", "source_ip": "198.51.100.7"}
	for k, v := range want {
		if stop[k] != v {
			t.Errorf("StopLogging %s = %v, want %v", k, stop[k], v)
		}
	}
	if b := byRule[detectBurst]; b == nil || b["count"] != 10.0 || b["event_id"] != "00000000-0000-4000-8000-000000000100" {
		t.Errorf("burst across files: %v", b)
	}
	if !strings.Contains(stderr, "trail detect: 2 files (0 bad), 11 events") {
		t.Errorf("summary: %s", stderr)
	}
}

func TestTrailDetectTable(t *testing.T) {
	code, stdout, _ := run(t, "trail", "detect", detectFixture(t))
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"LEVEL", "PRINCIPAL", "CloudTrail trail stopped or deleted", "cloudtrail:StopLogging",
		"Burst of unauthorized API calls by one principal (10)", "111111111111/eu-west-1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
}

func TestTrailDetectExitCodes(t *testing.T) {
	dir := detectFixture(t)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{dir}, ExitOK},
		{[]string{dir, "--fail-on-detection"}, ExitFindings},
		{[]string{dir, "--fail-on-detection", "--min-level", "critical"}, ExitOK},
		{[]string{dir, "--fail-on-detection", "--until", "2025-03-14T09:00:00Z"}, ExitOK},
		{[]string{dir, "--min-level", "severe"}, ExitUsage},
		{[]string{dir, "--format", "xml"}, ExitUsage},
		{[]string{dir, "--since", "yesterday-ish"}, ExitUsage},
		{[]string{dir, "--rules", filepath.Join(dir, "missing")}, ExitUsage},
		{[]string{filepath.Join(dir, "missing")}, ExitUsage},
		{nil, ExitUsage},
	} {
		if code, _, stderr := run(t, append([]string{"trail", "detect"}, tc.args...)...); code != tc.want {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.want, stderr)
		}
	}
}

// TestTrailDetectSkipsBadInput: a rule that cannot be parsed is reported
// with its file and line, a corrupt log file by name, duplicates dropped,
// and everything else still runs.
func TestTrailDetectSkipsBadInput(t *testing.T) {
	dir := detectFixture(t)
	os.WriteFile(filepath.Join(dir, "c-corrupt.json.gz"), []byte("\x1f\x8bnot gzip"), 0o644)
	data, _ := os.ReadFile(filepath.Join(dir, "a.json.gz"))
	os.WriteFile(filepath.Join(dir, "d-copy.json.gz"), data, 0o644) // the same events again

	rulesDir := t.TempDir()
	os.WriteFile(filepath.Join(rulesDir, "good.yml"), []byte(`title: Users listed
id: 9a4cbb0c-8a43-4ad4-a1b7-2a5b3a0f4b10
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: ListUsers
  condition: selection
level: low
`), 0o644)
	os.WriteFile(filepath.Join(rulesDir, "bad.yml"), []byte(`title: Broken
id: 5d1f2c0e-7b0e-4c59-9a53-64c1bb3f4f11
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName|nosuchmodifier: X
  condition: selection
level: low
`), 0o644)

	code, stdout, stderr := run(t, "trail", "detect", dir, "--rules", rulesDir, "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`bad\.yml:\d+`).MatchString(stderr) {
		t.Errorf("the bad rule is not reported with file:line:\n%s", stderr)
	}
	if !strings.Contains(stderr, "c-corrupt.json.gz") || !strings.Contains(stderr, "(1 bad)") {
		t.Errorf("the corrupt file is not reported:\n%s", stderr)
	}
	if !strings.Contains(stderr, "(6 duplicates") {
		t.Errorf("duplicates not dropped:\n%s", stderr)
	}
	if n := strings.Count(stdout, `"rule_id":"9a4cbb0c-8a43-4ad4-a1b7-2a5b3a0f4b10"`); n != 10 {
		t.Errorf("the good user rule fired %d times, want 10", n)
	}
	if n := strings.Count(stdout, detectStopLogging); n != 1 {
		t.Errorf("StopLogging reported %d times, want once", n)
	}
}

func TestTrailDetectWritesOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "detections.jsonl")
	code, stdout, stderr := run(t, "trail", "detect", detectFixture(t), "--format", "json", "-o", out)
	if code != ExitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(out); strings.Count(string(data), "\n") != 3 {
		t.Errorf("output file:\n%s", data)
	}
}

func TestTrailDetectHoneytoken(t *testing.T) {
	dir := detectFixture(t)
	const honeytoken = "3a8abc84-f908-48db-b153-5c5fd76d6f1e"
	_, stdout, _ := run(t, "trail", "detect", dir, "--format", "json", "--min-level", "critical")
	if strings.Contains(stdout, honeytoken) {
		t.Fatal("honeytoken rule fired without --honeytoken")
	}
	code, stdout, stderr := run(t, "trail", "detect", dir, "--format", "json", "--min-level", "critical", "--honeytoken", "Mallory")
	if code != ExitOK || strings.Count(stdout, honeytoken) != 11 {
		t.Errorf("exit %d, %d honeytoken detections, want 11: %s", code, strings.Count(stdout, honeytoken), stderr)
	}
}
