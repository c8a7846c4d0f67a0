package index

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"

	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

func sources(t testing.TB, paths ...string) []cloudtrail.Source {
	t.Helper()
	var srcs []cloudtrail.Source
	for _, p := range paths {
		src, err := cloudtrail.Open(context.Background(), p, cloudtrail.Options{})
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	return srcs
}

func ingest(t testing.TB, root string, opts IngestOptions, paths ...string) IngestStats {
	t.Helper()
	st, err := Ingest(context.Background(), root, sources(t, paths...), opts)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// truth is what the cloudtrail reader, on its own, finds in some sources:
// the reference the index is checked against.
type truth struct {
	stats   cloudtrail.Stats
	records map[string]*cloudtrail.Record // by event id, first seen
}

func readTruth(t testing.TB, cfg cloudtrail.Config, paths ...string) truth {
	t.Helper()
	tr := truth{records: map[string]*cloudtrail.Record{}}
	var mu sync.Mutex
	cfg.Dedup = cloudtrail.NewDedup(0)
	for _, src := range sources(t, paths...) {
		st, err := cloudtrail.Read(context.Background(), src, cfg, func(r *cloudtrail.Record) error {
			mu.Lock()
			defer mu.Unlock()
			tr.records[r.EventID] = r
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		tr.stats.Files += st.Files
		tr.stats.Records += st.Records
		tr.stats.Duplicates += st.Duplicates
		tr.stats.OutOfRange += st.OutOfRange
	}
	return tr
}

// shared is an index of the real samples, built once for the package's
// tests and removed by TestMain.
var shared struct {
	sync.Once
	root string
	err  error
}

func samples(t testing.TB) (root string, paths []string) {
	t.Helper()
	paths = sampleDirs(t)
	shared.Do(func() {
		if shared.root, shared.err = os.MkdirTemp("", "index-samples-"); shared.err != nil {
			return
		}
		var srcs []cloudtrail.Source
		for _, p := range paths {
			src, err := cloudtrail.Open(context.Background(), p, cloudtrail.Options{})
			if err != nil {
				shared.err = err
				return
			}
			srcs = append(srcs, src)
		}
		_, shared.err = Ingest(context.Background(), shared.root, srcs, IngestOptions{})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.root, paths
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.root != "" {
		os.RemoveAll(shared.root)
	}
	os.Exit(code)
}

func openLocal(t testing.TB, root string) *Local {
	t.Helper()
	l, err := OpenLocal(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func queryInt(t testing.TB, e Engine, sql string) int64 {
	t.Helper()
	rows, err := e.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row (%v)", sql, rows.Err())
	}
	switch v := rows.Values()[0].(type) {
	case int64:
		return v
	case int32:
		return int64(v)
	default:
		t.Fatalf("%s: %T %v", sql, v, v)
		return 0
	}
}

func TestIngestSamplesMatchesReader(t *testing.T) {
	paths := sampleDirs(t)
	tr := readTruth(t, cloudtrail.Config{}, paths...)
	root := t.TempDir()

	st := ingest(t, root, IngestOptions{}, paths...)
	if st.Files != tr.stats.Files || st.New != tr.stats.Records || st.Duplicates != tr.stats.Duplicates ||
		st.Events != tr.stats.Records+tr.stats.Duplicates || len(st.Bad) != 0 {
		t.Fatalf("ingest %+v, reader %+v", st, tr.stats)
	}
	if tr.stats.Duplicates == 0 {
		t.Fatal("the samples hold duplicate eventIDs; the test relies on them")
	}
	l := openLocal(t, root)
	if n := queryInt(t, l, "SELECT count(*) FROM events"); n != st.New {
		t.Errorf("events holds %d rows, want %d", n, st.New)
	}
	if n := queryInt(t, l, "SELECT count(DISTINCT event_id) FROM events"); n != st.New {
		t.Errorf("events holds %d distinct ids, want %d", n, st.New)
	}

	// Nothing is lost: raw is the event as CloudTrail wrote it.
	rows, err := l.Query(context.Background(), "SELECT event_id, raw, account, region, \"date\" FROM events")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		v := rows.Values()
		r := tr.records[v[0].(string)]
		if r == nil || v[1].(string) != string(r.Raw) {
			t.Fatalf("event %v: raw differs from the source", v[0])
		}
		if want := []any{pathValue(r.AccountID), pathValue(r.AWSRegion), r.EventTime.Format(time.DateOnly)}; !slices.Equal(v[2:], want) {
			t.Fatalf("event %v in partition %v, want %v", v[0], v[2:], want)
		}
		n++
	}
	if rows.Err() != nil || n != len(tr.records) {
		t.Fatalf("%d raw events checked of %d (%v)", n, len(tr.records), rows.Err())
	}

	// Re-ingesting adds nothing, and reads nothing: the manifest knows the files.
	again := ingest(t, root, IngestOptions{}, paths...)
	if again.Files != 0 || again.Unchanged != st.Files || again.New != 0 {
		t.Errorf("re-ingest: %+v", again)
	}
	// Without the manifest the files are read, and every event is known.
	if err := os.RemoveAll(filepath.Join(root, manifestDir)); err != nil {
		t.Fatal(err)
	}
	again = ingest(t, root, IngestOptions{}, paths...)
	if again.Files != st.Files || again.New != 0 || again.Duplicates != again.Events {
		t.Errorf("re-ingest without manifest: %+v", again)
	}
	if n := queryInt(t, l, "SELECT count(*) FROM events"); n != st.New {
		t.Errorf("after re-ingests events holds %d rows, want %d", n, st.New)
	}
}

func TestIngestReportsBadFilesAndIngestsTheRest(t *testing.T) {
	data := shareddata.Dir(t)
	good, err := os.ReadFile(filepath.Join(data, "cloudtrail", "stratus-red-team", "aws.execution.ec2-user-data.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-good.json", good)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good[:len(good)/2]) // truncated mid-record
	zw.Close()
	write("b-truncated.json.gz", gz.Bytes())
	write("c-garbage.json", []byte("this is not CloudTrail"))

	want := readTruth(t, cloudtrail.Config{}, filepath.Join(dir, "a-good.json")).stats.Records
	root := t.TempDir()
	st := ingest(t, root, IngestOptions{}, dir)
	var bad []string
	for _, b := range st.Bad {
		bad = append(bad, filepath.Base(b.Name))
		if b.Err == "" {
			t.Errorf("bad file %s without a reason", b.Name)
		}
	}
	slices.Sort(bad)
	if !slices.Equal(bad, []string{"b-truncated.json.gz", "c-garbage.json"}) {
		t.Errorf("bad files %q", bad)
	}
	// The truncated file's complete records are stored; they duplicate the
	// good file's.
	if st.New != want || st.Files != 3 {
		t.Errorf("ingest %+v, want %d new events from 3 files", st, want)
	}
	// Bad files are not in the manifest: the next run tries them again.
	again := ingest(t, root, IngestOptions{}, dir)
	if again.Unchanged != 1 || again.Files != 2 || len(again.Bad) != 2 || again.New != 0 {
		t.Errorf("re-ingest %+v", again)
	}
}

func TestIngestTimeRange(t *testing.T) {
	data := shareddata.Dir(t)
	dir := filepath.Join(data, "cloudtrail", "stratus-red-team")
	since := time.Date(2024, 8, 1, 13, 0, 0, 0, time.UTC)
	tr := readTruth(t, cloudtrail.Config{Since: since}, dir)
	all := readTruth(t, cloudtrail.Config{}, dir)
	if tr.stats.OutOfRange == 0 || tr.stats.Records == 0 {
		t.Fatalf("the range should split the samples: %+v", tr.stats)
	}
	root := t.TempDir()
	st := ingest(t, root, IngestOptions{Since: since}, dir)
	if st.New != tr.stats.Records || st.OutOfRange != tr.stats.OutOfRange {
		t.Errorf("ingest since %s: %+v, reader %+v", since, st, tr.stats)
	}
	// Files cut by the range were not recorded: without it, the rest comes in.
	rest := ingest(t, root, IngestOptions{}, dir)
	if st.New+rest.New != all.stats.Records || rest.Unchanged == 0 {
		t.Errorf("ingest of the rest: %+v, want %d new", rest, all.stats.Records-st.New)
	}
}

func TestLeftoverTempFilesAreIgnoredAndCleaned(t *testing.T) {
	data := shareddata.Dir(t)
	file := filepath.Join(data, "cloudtrail", "stratus-red-team", "aws.execution.ec2-user-data.json")
	root := t.TempDir()
	first := ingest(t, root, IngestOptions{}, file)

	// A crash mid-write leaves temporary files: garbage under a name no
	// reader takes, one old (a crashed run) and one fresh (a running one).
	part := filepath.Join(root, eventsDir, "account=111111111111", "region=us-east-1", "date=2024-08-01")
	if err := os.MkdirAll(part, 0o755); err != nil {
		t.Fatal(err)
	}
	old, fresh := filepath.Join(part, ".part-dead.parquet.tmp"), filepath.Join(root, refsDir, ".part-live.parquet.tmp")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("half a parquet file"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	l := openLocal(t, root)
	if n := queryInt(t, l, "SELECT count(*) FROM events"); n != first.New {
		t.Errorf("events holds %d rows, want %d", n, first.New)
	}
	if n := queryInt(t, l, "SELECT count(*) FROM refs WHERE ref = 'i-DDd6c7B0e18F0E35f'"); n != 3 {
		t.Errorf("refs holds %d rows for the instance, want 3", n)
	}
	ingest(t, root, IngestOptions{}, file)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the stale temporary file is still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
}

// A crash after events were stored but before the manifest recorded their
// files: the next run reads the files again and stores nothing twice, in
// events or in who-changed answers.
func TestCrashBeforeManifestStoresNothingTwice(t *testing.T) {
	data := shareddata.Dir(t)
	file := filepath.Join(data, "cloudtrail", "stratus-red-team", "aws.execution.ec2-user-data.json")
	tr := readTruth(t, cloudtrail.Config{}, file)
	root := t.TempDir()
	w := NewWriter(root)
	for _, r := range tr.records {
		if _, err := w.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st := ingest(t, root, IngestOptions{}, file)
	if st.New != 0 || st.Duplicates != tr.stats.Records {
		t.Errorf("ingest after the crash: %+v", st)
	}
	l := openLocal(t, root)
	if n := queryInt(t, l, "SELECT count(*) FROM events"); n != int64(len(tr.records)) {
		t.Errorf("events holds %d rows, want %d", n, len(tr.records))
	}
	var got []string
	for e, err := range l.WhoChanged(context.Background(), "i-DDd6c7B0e18F0E35f", time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.EventName)
	}
	if !slices.Equal(got, []string{"StartInstances", "ModifyInstanceAttribute", "StopInstances"}) {
		t.Errorf("who-changed after the crash: %q", got)
	}
}

// The Writer flushes in batches when its buffer is full, and forgets idle
// partitions' ids past its limit, without losing exactness.
func TestWriterBatchesAndForgetsExactly(t *testing.T) {
	root, paths := samples(t)
	tr := readTruth(t, cloudtrail.Config{}, paths...)
	dst := t.TempDir()
	w := NewWriter(dst)
	w.budget, w.idLimit = 16<<10, 10 // a batch every few events; forget at once
	add := func() (added int) {
		for _, r := range tr.records {
			ok, err := w.Add(r)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				added++
			}
		}
		return added
	}
	if n := add(); n != len(tr.records) {
		t.Fatalf("added %d of %d", n, len(tr.records))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := add(); n != 0 {
		t.Errorf("added %d events twice", n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st := w.Stats()
	if st.Files < 10 || st.Added != int64(len(tr.records)) || st.Duplicates != int64(len(tr.records)) {
		t.Errorf("writer stats %+v", st)
	}
	want := queryInt(t, openLocal(t, root), "SELECT count(*) FROM refs")
	if n := queryInt(t, openLocal(t, dst), "SELECT count(*) FROM refs"); n != want {
		t.Errorf("refs holds %d rows, want %d as in one batch", n, want)
	}
	// Close merged the batches' refs files.
	if files, _ := partFiles(filepath.Join(dst, refsDir)); len(files) >= minMerge {
		t.Errorf("%d refs files after Close", len(files))
	}
}

// A merge interrupted after writing its output leaves its inputs: the rows
// are then twice in refs until the next merge drops the repeats.
func TestCompactionDropsRepeatedRows(t *testing.T) {
	root, _ := samples(t)
	want := queryInt(t, openLocal(t, root), "SELECT count(*) FROM refs")
	files, err := partFiles(filepath.Join(root, refsDir))
	if err != nil || len(files) != 1 {
		t.Fatalf("sample refs files %q (%v)", files, err)
	}
	dst := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dst, refsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := range minMerge {
		if err := os.WriteFile(filepath.Join(dst, refsDir, fmt.Sprintf("part-copy%02d.parquet", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := compactRefs(dst); err != nil {
		t.Fatal(err)
	}
	merged, _ := partFiles(filepath.Join(dst, refsDir))
	if len(merged) != 1 {
		t.Fatalf("%d files after compaction", len(merged))
	}
	rows, err := parquet.ReadFile[refRow](merged[0])
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)) != want {
		t.Errorf("%d rows after merging %d copies, want %d", len(rows), minMerge, want)
	}
	if !slices.IsSortedFunc(rows, compareRefs) {
		t.Error("merged refs are not sorted")
	}
}
