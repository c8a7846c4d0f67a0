package alert

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"github.com/secure-baseline/baseline/internal/detect"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func open(t *testing.T, dir string, window time.Duration, sinks ...Sink) *Notifier {
	t.Helper()
	n, err := Open(Options{Sinks: sinks, Window: window, Retry: fastRetry, StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func notify(t *testing.T, n *Notifier, want int, ds ...detect.Detection) {
	t.Helper()
	got, err := n.Notify(ds)
	if err != nil || got != want {
		t.Fatalf("Notify accepted %d (%v), want %d", got, err, want)
	}
}

func TestBurstIsOneAlertPerRuleAndPrincipal(t *testing.T) {
	sink := &memSink{name: "mem:a"}
	n := open(t, t.TempDir(), time.Hour, sink)
	notify(t, n, 4, det("r1", "alice", 1), det("r1", "alice", 2), det("r1", "bob", 3), det("r2", "alice", 4))
	notify(t, n, 1, det("r1", "alice", 5), det("r1", "alice", 5)) // the repeat in one call is dropped
	if len(sink.alerts()) != 0 {
		t.Fatal("sent before the window ended")
	}
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, a := range sink.alerts() {
		counts[a.RuleID+"|"+a.PrincipalARN] = a.Count
	}
	want := map[string]int64{"r1|alice": 3, "r1|bob": 1, "r2|alice": 1}
	if len(counts) != len(want) || counts["r1|alice"] != 3 || counts["r1|bob"] != 1 || counts["r2|alice"] != 1 {
		t.Fatalf("alerts %v, want %v", counts, want)
	}
}

func TestWindowEndSendsTheGroup(t *testing.T) {
	sink := &memSink{name: "mem:a"}
	n := open(t, t.TempDir(), 50*time.Millisecond, sink)
	defer n.Close(context.Background())
	notify(t, n, 2, det("r", "p", 1), det("r", "p", 2))
	deadline := time.Now().Add(5 * time.Second)
	for len(sink.alerts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := sink.alerts(); len(got) != 1 || got[0].Count != 2 {
		t.Fatalf("after the window: %+v", got)
	}
	// A detection after the window opens a new one.
	notify(t, n, 1, det("r", "p", 3))
	n.Flush()
	if got := sink.alerts(); len(got) != 2 || got[1].Count != 1 {
		t.Fatalf("second window: %+v", got)
	}
}

func TestRedeliveredDetectionIsDroppedAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	sink := &memSink{name: "mem:a"}
	n := open(t, dir, time.Hour, sink)
	notify(t, n, 2, det("r", "p", 1), det("r", "p", 2))
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	n = open(t, dir, time.Hour, sink)
	notify(t, n, 1, det("r", "p", 1), det("r", "p", 2), det("r", "p", 3))
	notify(t, n, 1, det("other-rule", "p", 1)) // same event, another rule: a new detection
	n.Close(context.Background())
	if got := sink.alerts(); len(got) != 3 || got[0].Count != 2 || got[1].Count+got[2].Count != 2 {
		t.Fatalf("alerts %+v", got)
	}
}

// A crash after Notify, before the window ended, loses nothing: the next
// Open sends what the journal holds.
func TestCrashBeforeDeliveryResumesOnOpen(t *testing.T) {
	dir := t.TempDir()
	crashed := &memSink{name: "mem:a"}
	n := open(t, dir, time.Hour, crashed)
	notify(t, n, 2, det("r", "p", 1), det("r", "p", 2))
	n.journal.close() // the process dies: no Flush, no Close

	sink := &memSink{name: "mem:a"}
	n = open(t, dir, time.Hour, sink)
	notify(t, n, 0, det("r", "p", 2)) // its event is redelivered: still one alert
	n.Close(context.Background())
	if len(crashed.alerts()) != 0 {
		t.Fatal("the crashed notifier sent")
	}
	if got := sink.alerts(); len(got) != 1 || got[0].Count != 2 {
		t.Fatalf("after restart: %+v", got)
	}
	// Delivered now: a third start sends nothing.
	again := &memSink{name: "mem:a"}
	open(t, dir, time.Hour, again).Close(context.Background())
	if len(again.alerts()) != 0 {
		t.Fatalf("sent twice: %+v", again.alerts())
	}
}

func TestJournalSurvivesATornLastLine(t *testing.T) {
	dir := t.TempDir()
	n := open(t, dir, time.Hour)
	notify(t, n, 1, det("r", "p", 1))
	n.journal.close()
	f, err := os.OpenFile(filepath.Join(dir, "alerts.journal"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"at":"2024-07-31T13:00:00Z","d":{"rule_id":"r","ev`)
	f.Close()
	sink := &memSink{name: "mem:a"}
	n = open(t, dir, time.Hour, sink)
	notify(t, n, 0, det("r", "p", 1))
	n.Close(context.Background())
	if got := sink.alerts(); len(got) != 1 {
		t.Fatalf("alerts %+v", got)
	}
}

func TestFailingSinkIsRetriedThenDeadLettered(t *testing.T) {
	dir := t.TempDir()
	down := &memSink{name: "mem:down", fail: func(int) error { return &StatusError{Code: 503} }}
	flaky := &memSink{name: "mem:flaky", fail: func(n int) error {
		if n < 3 {
			return errors.New("connection reset")
		}
		return nil
	}}
	rejected := &memSink{name: "mem:rejects", fail: func(int) error { return &StatusError{Code: 400} }}
	var mu sync.Mutex
	results := map[string]int{}
	n, err := Open(Options{
		Sinks: []Sink{down, flaky, rejected}, Window: time.Hour, Retry: fastRetry, StateDir: dir,
		OnResult: func(kind string, r Result) { mu.Lock(); results[string(r)]++; mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	notify(t, n, 1, det("r", "p", 1))
	n.Close(context.Background())

	if down.n != 3 || flaky.n != 3 || len(flaky.alerts()) != 1 || rejected.n != 1 {
		t.Fatalf("attempts: down %d, flaky %d (%d delivered), rejects %d", down.n, flaky.n, len(flaky.alerts()), rejected.n)
	}
	entries := readDead(t, n.DeadLetterPath())
	if len(entries) != 2 || entries[0].Alert == nil || entries[0].Alert.Count != 1 {
		t.Fatalf("dead letters %+v", entries)
	}
	bySink := map[string]DeadEntry{entries[0].Sink: entries[0], entries[1].Sink: entries[1]}
	if bySink["mem:down"].Attempts != 3 || bySink["mem:rejects"].Attempts != 1 || bySink["mem:down"].Error != "HTTP 503 Service Unavailable" {
		t.Fatalf("dead letters %+v", bySink)
	}
	if results["sent"] != 1 || results["dead_lettered"] != 2 || results["failed"] != 3+2+1 {
		t.Fatalf("results %v", results)
	}
	// Dead-lettered counts as settled: not sent again at the next start.
	again := &memSink{name: "mem:down"}
	open(t, dir, time.Hour, again).Close(context.Background())
	if len(again.alerts()) != 0 {
		t.Fatal("a dead-lettered alert was resent from the journal")
	}

	// Replay sends each entry to the sink of its name; the unmatched one stays.
	st, err := Replay(context.Background(), n.DeadLetterPath(), []Sink{again}, fastRetry)
	if err != nil || st.Sent != 1 || st.Unmatched != 1 || st.Failed != 0 {
		t.Fatalf("replay %+v, %v", st, err)
	}
	if left := readDead(t, n.DeadLetterPath()); len(left) != 1 || left[0].Sink != "mem:rejects" {
		t.Fatalf("left %+v", left)
	}
	if len(again.alerts()) != 1 || again.alerts()[0].ID != entries[0].Alert.ID {
		t.Fatalf("replayed %+v", again.alerts())
	}
}

func TestCloseGivesUpOnSlowSinksWithoutLosingAlerts(t *testing.T) {
	dir := t.TempDir()
	stuck := &memSink{name: "mem:a", fail: func(int) error { return errors.New("timeout") }}
	n, err := Open(Options{Sinks: []Sink{stuck}, Window: time.Hour, Retry: Retry{Attempts: 100, Initial: time.Second, Max: time.Second}, StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	notify(t, n, 1, det("r", "p", 1))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	n.Close(ctx)
	if time.Since(start) > 5*time.Second {
		t.Fatal("Close did not give up")
	}
	if _, err := os.Stat(n.DeadLetterPath()); !os.IsNotExist(err) {
		t.Fatal("an interrupted delivery was dead-lettered")
	}
	sink := &memSink{name: "mem:a"}
	open(t, dir, time.Hour, sink).Close(context.Background())
	if len(sink.alerts()) != 1 {
		t.Fatal("the undelivered alert was not resumed")
	}
}

func readDead(t *testing.T, path string) []DeadEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []DeadEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e DeadEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}
