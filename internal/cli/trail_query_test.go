package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// sampleIndexDir ingests the samples through the CLI into a fresh index.
func sampleIndexDir(t *testing.T) string {
	t.Helper()
	stratus, traildiscover := indexSamples(t)
	dir := t.TempDir()
	ingestJSON(t, "--index", dir, stratus, traildiscover)
	return dir
}

// jsonLines decodes one JSON object per line, checking that every object
// carries the contract's fields.
func jsonLines(t *testing.T, out string, fields ...string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		for _, f := range fields {
			if _, ok := m[f]; !ok {
				t.Fatalf("line %q lacks %s", line, f)
			}
		}
		objs = append(objs, m)
	}
	return objs
}

var eventContract = []string{"event_id", "event_time", "event_name", "event_source", "account_id", "region", "principal_arn", "source_ip"}

func TestTrailQueryWhoChangedJSON(t *testing.T) {
	dir := sampleIndexDir(t)
	code, out, errOut := runIndexCLI(t, "trail", "query", "--index", dir, "--format", "json", "who-changed", "i-DDd6c7B0e18F0E35f")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := jsonLines(t, out, append(eventContract, "what")...)
	var names []string
	for _, o := range objs {
		names = append(names, o["event_name"].(string))
		if !strings.Contains(o["what"].(string), "i-DDd6c7B0e18F0E35f") {
			t.Errorf("what = %v", o["what"])
		}
	}
	if strings.Join(names, ",") != "StartInstances,ModifyInstanceAttribute,StopInstances" {
		t.Errorf("who-changed: %q, want the start, the user data change and the stop, newest first", names)
	}
	// The table names the change.
	code, out, _ = runIndexCLI(t, "trail", "query", "--index", dir, "who-changed", "i-DDd6c7B0e18F0E35f")
	if code != ExitOK || !strings.HasPrefix(out, "EVENT TIME") || !strings.Contains(out, "ModifyInstanceAttribute(instanceId=i-DDd6c7B0e18F0E35f") {
		t.Errorf("table:\n%s", out)
	}
}

func TestTrailQueryActivityJSON(t *testing.T) {
	dir := sampleIndexDir(t)
	since := time.Date(2024, 8, 2, 0, 0, 0, 0, time.UTC)
	code, out, errOut := runIndexCLI(t, "trail", "query", "--index", dir, "--format", "json", "activity", "christophe", "--since", "2024-08-02")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := jsonLines(t, out, eventContract...)
	if len(objs) < 5 {
		t.Fatalf("%d events of christophe since %s", len(objs), since)
	}
	prev := time.Now()
	for _, o := range objs {
		at, err := time.Parse(time.RFC3339, o["event_time"].(string))
		if err != nil || at.Before(since) || at.After(prev) {
			t.Errorf("event at %v (%v): out of range or order", o["event_time"], err)
		}
		prev = at
		if !strings.HasSuffix(o["principal_arn"].(string), ":user/christophe") {
			t.Errorf("event of %v", o["principal_arn"])
		}
	}
}

func TestTrailQuerySQL(t *testing.T) {
	dir := sampleIndexDir(t)
	code, out, errOut := runIndexCLI(t, "trail", "query", "--index", dir, "--format", "json",
		"SELECT account, count(*) AS n, min(event_time) AS first FROM events GROUP BY account ORDER BY n DESC, account LIMIT 1")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := jsonLines(t, out, "account", "n", "first")
	if len(objs) != 1 || objs[0]["account"] != "111111111111" || objs[0]["n"].(float64) < 100 {
		t.Errorf("SQL result %v", objs)
	}
	if !strings.HasPrefix(out, `{"account":`) {
		t.Errorf("keys are not in column order: %s", out)
	}
	code, out, _ = runIndexCLI(t, "trail", "query", "--index", dir, "--format", "csv", "SELECT event_name FROM events WHERE event_id = '9fd68588-ecbf-4528-a345-199fa6bb0821'")
	if code != ExitOK || out != "event_name\nAuthorizeSecurityGroupIngress\n" {
		t.Errorf("csv: exit %d\n%s", code, out)
	}
	if code, _, errOut := runIndexCLI(t, "trail", "query", "--index", dir, "SELECT nope FROM events"); code != ExitUsage || !strings.Contains(errOut, "nope") {
		t.Errorf("bad SQL: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runIndexCLI(t, "trail", "query", "--index", t.TempDir(), "SELECT 1"); code != ExitUsage || !strings.Contains(errOut, "trail ingest") {
		t.Errorf("empty index: exit %d: %s", code, errOut)
	}
}
