package cloudtrail

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"
)

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadSamples reads the real sample directories through Open and Read:
// every record is delivered, nothing else is read.
func TestReadSamples(t *testing.T) {
	files := sampleFiles(t)
	want := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want += len(oracleRecords(t, data))
	}
	src, err := Open(context.Background(), filepath.Join(shareddata.Dir(t), "cloudtrail"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, src, Config{Concurrency: 2})
	if res.err != nil || len(res.errs) > 0 {
		t.Fatalf("err %v, file errors %v", res.err, res.errs)
	}
	if len(res.ids) != want || res.stats.Files != int64(len(files)) {
		t.Fatalf("%d records from %d files, want %d from %d", len(res.ids), res.stats.Files, want, len(files))
	}
}

func TestReadLocalTree(t *testing.T) {
	root := t.TempDir()
	at := mar7
	plain := func(ids ...string) []byte {
		var b strings.Builder
		b.WriteString("[")
		for i, id := range ids {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"eventID":"` + id + `","eventTime":"` + at.Format(time.RFC3339) + `"}`)
		}
		b.WriteString("]")
		return []byte(b.String())
	}
	writeFile(t, filepath.Join(root, "b", "2.json.gz"), gzipBytes(plain("b2-1", "b2-2")))
	writeFile(t, filepath.Join(root, "b", "1.json"), plain("b1-1"))
	writeFile(t, filepath.Join(root, "a.json.cloudtrail"), plain("a-1", "a-2"))
	writeFile(t, filepath.Join(root, "c", "deep", "er", "x.json"), gzipBytes(plain("x-1"))) // gzip despite the name
	writeFile(t, filepath.Join(root, "LICENSE"), []byte("not json"))
	writeFile(t, filepath.Join(root, "notes.txt"), []byte("{"))
	writeFile(t, filepath.Join(root, "d", "bad.json"), append(plain("d-1"), []byte(" garbage")...))
	writeFile(t, filepath.Join(root, "d", "dup.json"), plain("a-1", "e-1"))
	digest := filepath.Join(root, "AWSLogs", "111111111111", "CloudTrail-Digest", "us-east-1", "2024", "03", "07", "111111111111_CloudTrail-Digest_us-east-1_main_us-east-1_20240307T010203Z.json.gz")
	writeFile(t, digest, gzipBytes([]byte(`{"digestStartTime":"2024-03-07T00:00:00Z"}`)))
	treeLog := filepath.Join(root, "AWSLogs", "111111111111", "CloudTrail", "us-east-1", "2024", "03", "07", "111111111111_CloudTrail_us-east-1_20240307T1200Z_x.json.gz")
	writeFile(t, treeLog, logFile(at, "tree-1"))
	oldLog := filepath.Join(root, "AWSLogs", "111111111111", "CloudTrail", "us-east-1", "2024", "01", "07", "111111111111_CloudTrail_us-east-1_20240107T1200Z_x.json.gz")
	writeFile(t, oldLog, []byte("never opened: its day folder is out of range"))

	// One worker: records arrive in lexical file order.
	src, err := Open(context.Background(), root, Options{Since: at.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	var errs []string
	var objects []Object
	stats, err := Read(context.Background(), src, Config{
		Concurrency: 1, Dedup: NewDedup(0),
		OnError:  func(err error) { errs = append(errs, err.Error()) },
		OnObject: func(o Object) { objects = append(objects, o) },
	}, func(r *Record) error {
		order = append(order, r.EventID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tree-1", "a-1", "a-2", "b1-1", "b2-1", "b2-2", "x-1", "d-1", "e-1"}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("order %v\nwant  %v", order, want)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], filepath.Join(root, "d", "bad.json")+": offset 55: expected") {
		t.Fatalf("errors %q", errs)
	}
	if len(objects) != 1 || objects[0].Name != digest || objects[0].Loc.Kind != KindDigest {
		t.Fatalf("objects %+v", objects)
	}
	if stats.Files != 7 || stats.Duplicates != 1 || stats.Records != 9 || stats.BadFiles != 1 || stats.Skipped != 1 {
		t.Fatalf("stats %+v", stats)
	}

	// A file named on its own is read whatever its name.
	writeFile(t, filepath.Join(root, "single.log"), plain("s-1"))
	src, err = Open(context.Background(), filepath.Join(root, "single.log"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res := readAll(t, src, Config{}); res.err != nil || !reflect.DeepEqual(res.ids, []string{"s-1"}) {
		t.Fatalf("single file: %v %v", res.ids, res.err)
	}
	if _, err := Open(context.Background(), filepath.Join(root, "missing"), Options{}); err == nil {
		t.Fatal("Open of a missing path succeeded")
	}
}

func TestReadTimeRange(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "f.json"), []byte(`[
		{"eventID":"early","eventTime":"2024-03-07T09:59:59Z"},
		{"eventID":"first","eventTime":"2024-03-07T10:00:00Z"},
		{"eventID":"last","eventTime":"2024-03-07T10:59:59Z"},
		{"eventID":"until","eventTime":"2024-03-07T11:00:00Z"}]`))
	src, err := Open(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, src, Config{Since: time.Date(2024, 3, 7, 10, 0, 0, 0, time.UTC), Until: time.Date(2024, 3, 7, 11, 0, 0, 0, time.UTC)})
	if !reflect.DeepEqual(res.ids, []string{"first", "last"}) || res.stats.OutOfRange != 2 {
		t.Fatalf("records %v, %+v", res.ids, res.stats)
	}
}

func TestReadStops(t *testing.T) {
	root := t.TempDir()
	g := newCorpusGen(2)
	for i := range 20 {
		writeFile(t, filepath.Join(root, string(rune('a'+i))+".json.gz"), gzipBytes(g.file(500)))
	}
	src, err := Open(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}

	stop := errors.New("enough")
	var n atomic.Int64
	stats, err := Read(context.Background(), src, Config{Concurrency: 2}, func(*Record) error {
		if n.Add(1) == 700 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || stats.Records >= 10_000 {
		t.Fatalf("callback error: %v, %+v", err, stats)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n.Store(0)
	stats, err = Read(ctx, src, Config{Concurrency: 2}, func(*Record) error {
		if n.Add(1) == 700 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || stats.Records >= 10_000 || stats.BadFiles != 0 {
		t.Fatalf("cancelled: %v, %+v", err, stats)
	}
}

// BenchmarkRead is the whole local pipeline on two workers: walk, open,
// gunzip, split, parse, dedup, deliver.
func BenchmarkRead(b *testing.B) {
	c := benchCorpus()
	root := b.TempDir()
	for i, f := range c.gz {
		writeFile(b, filepath.Join(root, string(rune('a'+i))+".json.gz"), f)
	}
	src, err := Open(context.Background(), root, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(c.bytes)
	b.ReportAllocs()
	for b.Loop() {
		var n atomic.Int64
		stats, err := Read(context.Background(), src, Config{Concurrency: 2, Dedup: NewDedup(0)}, func(*Record) error {
			n.Add(1)
			return nil
		})
		if err != nil || stats.Records != int64(c.records) {
			b.Fatalf("%v, %+v", err, stats)
		}
	}
	reportRecords(b, c.records)
}
