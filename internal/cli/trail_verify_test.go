package cli

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The algorithm is tested in internal/verify; this checks the command's
// wiring: offline keys, one JSON object per line, exit code 1 on problems.
func TestTrailVerifyReportsUncoveredLogs(t *testing.T) {
	dir := t.TempDir()
	logDir := filepath.Join(dir, "AWSLogs", "111111111111", "CloudTrail", "us-east-1", "2026", "01", "02")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"Records":[]}`))
	zw.Close()
	name := "111111111111_CloudTrail_us-east-1_20260102T0000Z_abc.json.gz"
	if err := os.WriteFile(filepath.Join(logDir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "keys.json")
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der := base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&k.PublicKey))
	os.WriteFile(keys, []byte(`{"PublicKeyList":[{"Value":"`+der+`","ValidityStartTime":"2025-01-01T00:00:00Z","ValidityEndTime":"2027-01-01T00:00:00Z","Fingerprint":"0123456789abcdef0123456789abcdef"}]}`), 0o644)

	code, out, stderr := run(t, "trail", "verify", dir, "--public-keys", keys, "--format", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d: %s", code, ExitFindings, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one JSON line, got %q", out)
	}
	var r struct{ Key, Kind, Status string }
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(r.Key, name) || r.Kind != "log" || r.Status != "not_covered" {
		t.Fatalf("result = %+v", r)
	}

	if code, _, stderr := run(t, "trail", "verify", dir, "--public-keys", filepath.Join(dir, "nope.json")); code != ExitUsage {
		t.Fatalf("missing key file: exit %d: %s", code, stderr)
	}
}
