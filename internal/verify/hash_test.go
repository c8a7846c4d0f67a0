package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestHashGzip(t *testing.T) {
	raw := logContent(trailSpec{account: "111122223333", region: "us-east-1"}, t0, 50)
	sum := sha256.Sum256(raw)
	got, err := hashGzip(bytes.NewReader(gz(raw)))
	if err != nil || got != hex.EncodeToString(sum[:]) {
		t.Fatalf("hash %s, %v; want %x", got, err, sum)
	}
	// Every member counts: the hash of two is that of their concatenation.
	two := sha256.Sum256(append(append([]byte{}, raw...), raw...))
	got, err = hashGzip(bytes.NewReader(append(gz(raw), gz(raw)...)))
	if err != nil || got != hex.EncodeToString(two[:]) {
		t.Fatalf("two members: %s, %v", got, err)
	}
	for name, data := range map[string][]byte{"empty": nil, "not gzip": raw, "trailing garbage": append(gz(raw), "junk"...)} {
		if _, err := hashGzip(bytes.NewReader(data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := gunzipAll(bytes.NewReader(gz(raw)), int64(len(raw)-1)); !errors.Is(err, errTooLarge) {
		t.Errorf("limit: %v", err)
	}
}

// benchCorpus is a trail of realistic log files (about 3 MB of JSON each,
// the size of a busy account's five minutes) and their digests, on disk.
func benchCorpus(b *testing.B) (dir string, files [][]byte, rawSize int64) {
	b.Helper()
	bk := newBucket()
	spec := trailSpec{account: "111122223333", region: "us-east-1", trail: "main", start: t0, hours: 4, logsPerHour: 4, recordsPerLog: 2500}
	tr := bk.deliver(b, spec)
	dir = b.TempDir()
	bk.writeDir(b, dir, "")
	for _, k := range tr.logs {
		files = append(files, bk.objects[k])
		rawSize += int64(len(gunzip(b, bk.objects[k])))
	}
	return dir, files, rawSize
}

// BenchmarkHash compares the hashing path of a log file (gunzip and SHA-256
// streamed) with SHA-256 alone over the already uncompressed bytes, and a
// whole Verify of the corpus directory (parallel reads) with sha256sum over
// the same .gz files and over their uncompressed copies. Throughput is in
// uncompressed bytes throughout, so the ns/op compare directly; cpu-MB/s
// counts CPU time instead of wall time, which a loaded machine distorts
// less.
func BenchmarkHash(b *testing.B) {
	dir, files, rawSize := benchCorpus(b)
	raws := make([][]byte, len(files))
	var gzSize int
	var jsonPaths, gzPaths []string
	for i, f := range files {
		raws[i] = gunzip(b, f)
		gzSize += len(f)
		p := filepath.Join(dir, fmt.Sprintf("log%d", i))
		os.WriteFile(p+".json.gz", f, 0o644)
		os.WriteFile(p+".json", raws[i], 0o644)
		gzPaths, jsonPaths = append(gzPaths, p+".json.gz"), append(jsonPaths, p+".json")
	}
	b.Logf("%d files, %.1f MB gzip, %.1f MB JSON", len(files), float64(gzSize)/1e6, float64(rawSize)/1e6)

	b.Run("sha256-uncompressed", func(b *testing.B) {
		measure(b, rawSize, func() {
			for _, r := range raws {
				sha256.Sum256(r)
			}
		})
	})
	b.Run("gunzip+sha256", func(b *testing.B) {
		measure(b, rawSize, func() {
			for _, f := range files {
				if _, err := hashGzip(bytes.NewReader(f)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("verify-dir", func(b *testing.B) {
		src, err := OpenDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		defer src.Close()
		keys := testKeys(b, cloudTrailKey())
		measure(b, rawSize, func() {
			sum, err := Verify(context.Background(), src, Options{Keys: keys, Now: func() time.Time { return t0 }}, func(Result) {})
			if err != nil || sum.Failed() || sum.Logs != len(files) {
				b.Fatal(sum, err)
			}
		})
	})
	for name, paths := range map[string][]string{"sha256sum-gz-files": gzPaths, "sha256sum-json-files": jsonPaths} {
		b.Run(name, func(b *testing.B) {
			tool, err := exec.LookPath("sha256sum")
			if err != nil {
				b.Skip(err)
			}
			var cpu time.Duration
			b.SetBytes(rawSize)
			for b.Loop() {
				cmd := exec.Command(tool, paths...)
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(rawSize)*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
		})
	}
}

// measure runs fn in a benchmark loop and reports its CPU throughput too.
func measure(b *testing.B, size int64, fn func()) {
	b.SetBytes(size)
	before := cpuTime()
	for b.Loop() {
		fn()
	}
	b.ReportMetric(float64(size)*float64(b.N)/(cpuTime()-before).Seconds()/1e6, "cpu-MB/s")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
