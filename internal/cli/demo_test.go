package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// TestDemo runs the whole tour on the emulator: it must finish well within
// the 3 minutes, raise every account's stage, and show detections
// and a who-changed answer.
func TestDemo(t *testing.T) {
	moto.Require(t) // the demo starts its own emulator
	// The demo points the process's environment at its emulator: restore
	// it for the tests that follow.
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		if v, ok := os.LookupEnv(k); ok {
			t.Cleanup(func() { os.Setenv(k, v) })
		} else {
			t.Cleanup(func() { os.Unsetenv(k) })
		}
	}
	dir := t.TempDir()
	start := time.Now()
	code, stdout, stderr := run(t, "demo", "--dir", dir, "--concurrency", "16")
	took := time.Since(start)
	if code != ExitOK {
		t.Fatalf("demo exit %d:\n%s", code, stderr)
	}
	if took > 3*time.Minute {
		t.Errorf("demo took %s, more than 3 minutes", took)
	}
	stages := regexp.MustCompile(`(?m)^  (\d{12})  F(\d+) → F(\d+)$`).FindAllStringSubmatch(stdout, -1)
	if len(stages) != 4 {
		t.Fatalf("%d stage lines, want 4:\n%s", len(stages), stdout)
	}
	for _, s := range stages {
		before, _ := strconv.Atoi(s[2])
		after, _ := strconv.Atoi(s[3])
		if after <= before {
			t.Errorf("account %s: stage F%d after apply, not above F%d", s[1], after, before)
		}
	}
	for _, want := range []string{"CloudTrail trail stopped or deleted", "Many Secrets Manager secrets read by one principal", "StopLogging(name=arn:aws:cloudtrail:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"baseline.yaml", "plan.json", "apply.log", "report.html", filepath.Join("handbook", "handbook.html")} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the demo did not write %s: %v", f, err)
		}
	}
}

// TestDemoOffline: without the emulator the demo runs the offline parts and
// says what it skipped.
func TestDemoOffline(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no moto_server
	code, stdout, stderr := run(t, "demo", "--dir", t.TempDir())
	if code != ExitOK {
		t.Fatalf("offline demo exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "skipped: building the demo organization") {
		t.Errorf("the offline demo does not say what it skipped:\n%s", stderr)
	}
	for _, want := range []string{"CloudTrail trail stopped or deleted", "StopLogging"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("offline demo output lacks %q:\n%s", want, stdout)
		}
	}
}
