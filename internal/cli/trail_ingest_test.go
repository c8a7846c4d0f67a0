package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"
)

// runIndexCLI runs baseline with args and returns its exit code and output.
func runIndexCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

type ingestSummary struct {
	Files, Unchanged, Events, New, Duplicates int64
	BadFiles                                  []struct{ Name, Error string } `json:"bad_files"`
}

func ingestJSON(t *testing.T, args ...string) ingestSummary {
	t.Helper()
	code, out, errOut := runIndexCLI(t, append([]string{"trail", "ingest", "--format", "json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	var s ingestSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("ingest output %q: %v", out, err)
	}
	return s
}

func TestTrailIngestIsIncremental(t *testing.T) {
	stratus, traildiscover := indexSamples(t)
	dir := t.TempDir()
	first := ingestJSON(t, "--index", dir, stratus, traildiscover)
	if first.Files < 600 || first.New == 0 || first.Duplicates == 0 || first.New+first.Duplicates != first.Events || len(first.BadFiles) != 0 {
		t.Errorf("first ingest %+v", first)
	}
	again := ingestJSON(t, "--index", dir, stratus, traildiscover)
	if again.Files != 0 || again.Unchanged != first.Files || again.New != 0 {
		t.Errorf("second ingest %+v", again)
	}
}

func TestTrailIngestReportsBadFiles(t *testing.T) {
	stratus, _ := indexSamples(t)
	good, err := os.ReadFile(filepath.Join(stratus, "aws.execution.ec2-user-data.json"))
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "good.json"), good, 0o644)
	os.WriteFile(filepath.Join(src, "corrupt.json"), good[:len(good)/3], 0o644)

	code, out, errOut := runIndexCLI(t, "trail", "ingest", "--index", t.TempDir(), src)
	if code != ExitOK {
		t.Fatalf("exit %d with a bad file among good ones: %s", code, errOut)
	}
	if !strings.Contains(out, "1 bad") || !strings.Contains(out, "bad file:   "+filepath.Join(src, "corrupt.json")) {
		t.Errorf("the bad file is not reported:\n%s", out)
	}

	// Nothing readable at all is a failure.
	only := t.TempDir()
	os.WriteFile(filepath.Join(only, "corrupt.json"), []byte("{not json"), 0o644)
	if code, _, errOut := runIndexCLI(t, "trail", "ingest", "--index", t.TempDir(), only); code != ExitIncomplete || !strings.Contains(errOut, "nothing could be read") {
		t.Errorf("exit %d (%s) when nothing could be read", code, errOut)
	}
	if code, _, _ := runIndexCLI(t, "trail", "ingest", "--index", t.TempDir(), filepath.Join(only, "missing")); code != ExitUsage {
		t.Errorf("exit %d for a missing source", code)
	}
	if code, _, _ := runIndexCLI(t, "trail", "ingest", "--format", "csv", src); code != ExitUsage {
		t.Errorf("exit %d for a bad format", code)
	}
}

func indexSamples(t *testing.T) (stratus, traildiscover string) {
	return shareddata.Dir(t, "cloudtrail", "stratus-red-team"), shareddata.Dir(t, "cloudtrail", "traildiscover")
}
