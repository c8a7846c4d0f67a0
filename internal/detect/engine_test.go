package detect

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/sigma"
)

// reference runs rules over records the simple way, as the rules package's
// tests do: full decoding, sorted by event time, one Correlator. It counts
// detections by rule id.
func reference(t *testing.T, rs []*sigma.Rule, recs []*cloudtrail.Record) map[string]int {
	t.Helper()
	set, err := sigma.NewRuleSet(rs)
	if err != nil {
		t.Fatal(err)
	}
	corr, err := sigma.NewCorrelator(rs)
	if err != nil {
		t.Fatal(err)
	}
	recs = slices.Clone(recs)
	slices.SortStableFunc(recs, func(a, b *cloudtrail.Record) int { return a.EventTime.Compare(b.EventTime) })
	hits := map[string]int{}
	count := func(alerts []sigma.Alert) {
		for _, a := range alerts {
			hits[a.Rule.ID]++
		}
	}
	for _, rec := range recs {
		fields, err := rec.Fields()
		if err != nil {
			t.Fatal(err)
		}
		ev := &sigma.MapEvent{Fields: fields, Raw: rec.Raw}
		count(corr.Advance(rec.EventTime))
		for _, r := range set.Match(ev, nil) {
			if corr.Generates(r.ID) {
				hits[r.ID]++
			}
			count(corr.Observe(r.ID, ev, rec.EventTime))
		}
	}
	count(corr.Flush())
	return hits
}

// TestStratusRedTeam runs the built-in pack over the Stratus Red Team
// detonations in one run, and checks each file's detections against the
// reference evaluation of that file alone, and a few against the technique
// rules the pack's own tests expect.
func TestStratusRedTeam(t *testing.T) {
	dir := shareddata.Dir(t, "cloudtrail/stratus-red-team")
	rs := builtin(t)
	c, st := detectDir(t, rs, dir, Config{})
	if st.Files != 35 || st.BadFiles != 0 {
		t.Fatalf("stats %+v, want 35 good files", st)
	}
	byAccount := map[string]map[string]int{}
	for _, d := range c.got {
		if byAccount[d.AccountID] == nil {
			byAccount[d.AccountID] = map[string]int{}
		}
		byAccount[d.AccountID][d.RuleID]++
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	technique := map[string]map[string]int{}
	for _, f := range files {
		recs := readFileRecords(t, f)
		want := reference(t, rs, recs)
		got := byAccount[recs[0].AccountID] // each detonation ran in its own account
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		technique[name] = got
		if !maps.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s: detections %v, reference %v", name, got, want)
		}
	}
	// From the pack's stratusExpected: detection rules, a value_count, a
	// temporal and an absence correlation.
	for name, id := range map[string]string{
		"aws.defense-evasion.cloudtrail-stop":                   "edb9c669-db2a-4bbc-a6d9-f39bb57bb8b7",
		"aws.persistence.iam-backdoor-user":                     "c5208966-2a02-46fc-a61e-c39c66485eb7",
		"aws.credential-access.secretsmanager-retrieve-secrets": "39398fb5-3825-46fd-bf99-9204e03eff35",
		"aws.credential-access.ec2-steal-instance-credentials":  "548fbbdd-1165-4253-901e-7ac56786b231",
		"aws.defense-evasion.vpc-remove-flow-logs":              "6bd399fa-7078-49d8-8389-6d7dd83eb676",
		"aws.execution.ec2-user-data":                           "769b32f8-1123-4b5c-b6f3-4b59050aa7f4",
	} {
		if technique[name][id] == 0 {
			t.Errorf("%s: rule %s did not fire (got %v)", name, id, technique[name])
		}
	}
}

// accessDenied returns n refused calls by one principal, a second apart.
func accessDenied(account string, start time.Time, n int) []ev {
	var out []ev
	for i := range n {
		out = append(out, newEv(account, "ListUsers", "iam.amazonaws.com", start.Add(time.Duration(i)*time.Second)).
			with("errorCode", "AccessDenied", "errorMessage", "not authorized"))
	}
	return out
}

const (
	burstID      = "7e3daa8b-0e8e-49a5-a17b-df5956548651" // Burst of unauthorized API calls by one principal
	stopLogging  = "edb9c669-db2a-4bbc-a6d9-f39bb57bb8b7"
	flowLogsGone = "6bd399fa-7078-49d8-8389-6d7dd83eb676" // absence: flow logs deleted, VPC kept
)

var t0 = time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)

func layoutPath(dir, account, region string, t time.Time, suffix string) string {
	return filepath.Join(dir, "AWSLogs", account, "CloudTrail", region, t.Format("2006/01/02"),
		account+"_CloudTrail_"+region+"_"+t.Format("20060102T1504Z")+"_"+suffix+".json.gz")
}

// TestCorrelationAcrossFiles: a burst split over two consecutive files is
// one burst, whatever the number of workers, and the detection names the
// event that opened the window.
func TestCorrelationAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	burst := accessDenied("111111111111", t0, 12)
	writeTrail(t, layoutPath(dir, "111111111111", "eu-west-1", t0, "a"), burst[:6]...)
	writeTrail(t, layoutPath(dir, "111111111111", "eu-west-1", t0.Add(5*time.Minute), "b"), burst[6:]...)
	// Noise in other files and accounts.
	writeTrail(t, layoutPath(dir, "222222222222", "eu-west-1", t0, "c"), accessDenied("222222222222", t0, 4)...)

	var runs [][]Detection
	for _, workers := range []int{1, 4} {
		c, _ := detectDir(t, builtin(t), dir, Config{Config: cloudtrail.Config{Concurrency: workers}})
		runs = append(runs, c.got)
	}
	if !slices.EqualFunc(runs[0], runs[1], func(a, b Detection) bool { return a.RuleID == b.RuleID && a.EventID == b.EventID }) {
		t.Errorf("1 worker: %v\n4 workers: %v", runs[0], runs[1])
	}
	var bursts []Detection
	for _, d := range runs[0] {
		if d.RuleID == burstID {
			bursts = append(bursts, d)
		}
	}
	if len(bursts) != 1 {
		t.Fatalf("%d bursts, want 1: %+v", len(bursts), runs[0])
	}
	b := bursts[0]
	if b.Count != 10 || b.EventID != burst[0]["eventID"] || !b.EventTime.Equal(t0) || b.AccountID != "111111111111" ||
		b.Region != "eu-west-1" || b.PrincipalARN != "arn:aws:iam::111111111111:user/mallory" || b.EventName != "ListUsers" {
		t.Errorf("burst detection %+v", b)
	}
}

// TestFilesOutOfOrder: a file older than what its account has seen starts
// a new stream instead of being counted late (and lost).
func TestFilesOutOfOrder(t *testing.T) {
	dir := t.TempDir()
	later := t0.AddDate(0, 1, 0)
	writeTrail(t, filepath.Join(dir, "a.json.gz"), newEv("111111111111", "StopLogging", "cloudtrail.amazonaws.com", later))
	writeTrail(t, filepath.Join(dir, "b.json.gz"), accessDenied("111111111111", t0, 10)...)
	c, _ := detectDir(t, builtin(t), dir, Config{})
	if got := c.ids(); got[burstID] != 1 || got[stopLogging] != 1 {
		t.Errorf("detections %v, want the burst and StopLogging once", got)
	}
}

// TestAbsenceAcrossFiles: flow logs deleted, then the VPC deleted in the
// next file, is quiet; without the VPC deletion it is detected at the end.
func TestAbsenceAcrossFiles(t *testing.T) {
	for _, deleteVPC := range []bool{false, true} {
		dir := t.TempDir()
		writeTrail(t, layoutPath(dir, "111111111111", "eu-west-1", t0, "a"),
			newEv("111111111111", "DeleteFlowLogs", "ec2.amazonaws.com", t0))
		next := newEv("111111111111", "DescribeVpcs", "ec2.amazonaws.com", t0.Add(10*time.Minute))
		if deleteVPC {
			next = newEv("111111111111", "DeleteVpc", "ec2.amazonaws.com", t0.Add(10*time.Minute))
		}
		writeTrail(t, layoutPath(dir, "111111111111", "eu-west-1", t0.Add(10*time.Minute), "b"), next)
		c, _ := detectDir(t, builtin(t), dir, Config{})
		if got := c.ids()[flowLogsGone]; got != map[bool]int{false: 1, true: 0}[deleteVPC] {
			t.Errorf("VPC deleted %v: %d absence detections", deleteVPC, got)
		}
	}
}

// TestDuplicatesDropped: the same events delivered twice (an organization
// trail and an account trail) are detected once.
func TestDuplicatesDropped(t *testing.T) {
	dir := t.TempDir()
	stop := newEv("111111111111", "StopLogging", "cloudtrail.amazonaws.com", t0)
	writeTrail(t, filepath.Join(dir, "org", "a.json.gz"), stop, newEv("111111111111", "ListUsers", "iam.amazonaws.com", t0))
	writeTrail(t, filepath.Join(dir, "account", "a.json.gz"), stop)
	c, st := detectDir(t, builtin(t), dir, Config{Config: cloudtrail.Config{Dedup: cloudtrail.NewDedup(0)}})
	if got := c.ids()[stopLogging]; got != 1 || st.Duplicates != 1 || st.Records != 2 {
		t.Errorf("StopLogging detected %d times, stats %+v; want once, 1 duplicate, 2 records", got, st)
	}
}

// TestBadFilesSkipped: truncated and corrupt files are reported by name and
// the other files are still read.
func TestBadFilesSkipped(t *testing.T) {
	dir := t.TempDir()
	writeTrail(t, filepath.Join(dir, "a-good.json.gz"), newEv("111111111111", "StopLogging", "cloudtrail.amazonaws.com", t0))
	writeTrail(t, filepath.Join(dir, "b-truncated.json.gz"), newEv("111111111111", "DeleteTrail", "cloudtrail.amazonaws.com", t0))
	src, _ := os.ReadFile(filepath.Join(dir, "b-truncated.json.gz"))
	os.WriteFile(filepath.Join(dir, "b-truncated.json.gz"), src[:len(src)/2], 0o644)
	os.WriteFile(filepath.Join(dir, "c-garbage.json"), []byte(`{"Records":[{"eventName": oops}]}`), 0o644)

	var bad []string
	c, st := detectDir(t, builtin(t), dir, Config{Config: cloudtrail.Config{OnError: func(err error) { bad = append(bad, err.Error()) }}})
	if st.BadFiles != 2 || len(bad) != 2 || !strings.Contains(bad[0]+bad[1], "b-truncated") || !strings.Contains(bad[0]+bad[1], "c-garbage") {
		t.Errorf("bad files %d, reported %q", st.BadFiles, bad)
	}
	if c.ids()[stopLogging] != 1 {
		t.Errorf("the good file was not read: %v", c.ids())
	}
}

func TestMinLevel(t *testing.T) {
	var c collector
	e, err := New(builtin(t), Options{MinLevel: "high", Emit: c.emit})
	if err != nil {
		t.Fatal(err)
	}
	b := e.NewBatch()
	for _, x := range accessDenied("111111111111", t0, 10) { // a medium burst
		b.Add(parseEv(t, x))
	}
	b.Add(parseEv(t, newEv("111111111111", "StopLogging", "cloudtrail.amazonaws.com", t0))) // medium and high rules
	e.Commit(b)
	e.Flush()
	if got := c.ids(); len(got) != 1 || got[stopLogging] != 1 {
		t.Errorf("detections %v, want only the high StopLogging rule", got)
	}
	if _, err := New(nil, Options{MinLevel: "severe", Emit: c.emit}); err == nil {
		t.Error("unknown level accepted")
	}
}

func parseEv(t testing.TB, e ev) *cloudtrail.Record {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, string(raw))
}
