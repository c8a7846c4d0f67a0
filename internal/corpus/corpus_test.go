package corpus

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/detect"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/verify"
)

// attackRules is the rule each attack must fire.
var attackRules = map[string]string{
	"cloudtrail stopped":          "edb9c669-db2a-4bbc-a6d9-f39bb57bb8b7",
	"access denied burst":         "7e3daa8b-0e8e-49a5-a17b-df5956548651",
	"console login without MFA":   "528d3cec-4b56-4d8f-9c38-cbdc16435577",
	"access key for another user": "c5208966-2a02-46fc-a61e-c39c66485eb7",
	"ssh open to the world":       "475b4edc-f40e-4595-b3ac-b5a2377db53b",
	"secrets sweep":               "39398fb5-3825-46fd-bf99-9204e03eff35",
	"flow logs deleted":           "6bd399fa-7078-49d8-8389-6d7dd83eb676",
	"snapshot shared":             "b94ccd56-99a1-4458-8b73-baeb87a8c351",
	"guardduty detector deleted":  "477cf5dd-3eda-4178-9838-ecc42a66ae0f",
	"root activity":               "5874f12a-d99d-4f80-9887-b628d4cc7d1d",
}

func TestCorpus(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Events: 30_000, Seed: 7}
	m, err := Generate(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Events != 30_000 || m.Files != 30 || len(m.Attacks) != len(attacks) {
		t.Fatalf("manifest %+v", m)
	}
	if avg := m.RawBytes / int64(m.Events); avg < 1000 || avg > 1500 {
		t.Errorf("%d bytes per event, want 1–1.5 KB", avg)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "AWSLogs", "o-exampleorg1", "*", "CloudTrail", "*", "2025", "03", "14", "*_CloudTrail_*_2025*Z_*.json.gz"))
	if len(logs) != m.Files {
		t.Errorf("%d files in the CloudTrail layout, want %d", len(logs), m.Files)
	}

	// Same options: reused; the content is a function of the options.
	before, _ := os.ReadFile(logs[3])
	if again, err := Generate(dir, opts); err != nil || again.Bytes != m.Bytes {
		t.Errorf("regenerate: %v, %d bytes, want %d", err, again.Bytes, m.Bytes)
	}
	other := t.TempDir()
	if _, err := Generate(other, opts); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(dir, logs[3])
	if after, _ := os.ReadFile(filepath.Join(other, rel)); string(after) != string(before) {
		t.Error("the same seed gave different files")
	}

	// Every event parses, and every attack is detected.
	rs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]int{}
	eng, err := detect.New(rs, detect.Options{Emit: func(d detect.Detection) { fired[d.RuleID]++ }})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := cloudtrail.Open(context.Background(), dir, cloudtrail.Options{})
	st, err := eng.Detect(context.Background(), []cloudtrail.Source{src}, detect.Config{
		Config: cloudtrail.Config{Dedup: cloudtrail.NewDedup(0), OnError: func(err error) { t.Error(err) }}})
	if err != nil || st.Records != 30_000 || st.Duplicates != 0 {
		t.Fatalf("detect: %v, %+v", err, st)
	}
	for name, id := range attackRules {
		if fired[id] < m.Attacks[name] {
			t.Errorf("%s: rule %s fired %d times for %d attacks", name, id, fired[id], m.Attacks[name])
		}
	}
	t.Logf("detections by rule: %v", fired)
}

// The digests verify: every log file valid, every digest signed and
// chained to the previous one.
func TestDigests(t *testing.T) {
	dir := t.TempDir()
	// 30 files of 5 minutes for each of 6 accounts and regions, delivered
	// over 3 hours: chains of 3 digests.
	m, err := Generate(dir, Options{Events: 18_000, PerFile: 100, Accounts: 2, Seed: 3, Digests: true})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, PublicKeysName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys, err := verify.ParsePublicKeys(f)
	if err != nil {
		t.Fatal(err)
	}
	src, err := verify.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sum, err := verify.Verify(context.Background(), src, verify.Options{Keys: keys}, func(r verify.Result) {
		if r.Status != verify.StatusValid {
			t.Errorf("%s %s: %s %s", r.Kind, r.Key, r.Status, r.Detail)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Logs != m.Files || sum.Digests != m.Digests || sum.Valid != m.Files+m.Digests || m.Digests != 6*3 {
		t.Errorf("summary %+v for %d files and %d digests", sum, m.Files, m.Digests)
	}
}
