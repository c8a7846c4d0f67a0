package index

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The manifest lists the source files ingested completely, so that
// re-ingesting one costs a lookup instead of a read. Each run appends one
// segment (manifest/NAME.jsonl, written atomically); segments are merged when
// they pile up. A file is listed only after its events are durable: a crash
// before that makes the next run read it again, and deduplication drops what
// was already stored.

// sourceFile identifies one ingested source file. S3 objects in the
// CloudTrail layout are never rewritten, so name and size identify them;
// local files also carry their modification time.
type sourceFile struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime,omitempty"` // Unix nanoseconds, local files
	Records int64  `json:"records"`
}

func (f sourceFile) same(g sourceFile) bool {
	return f.Size == g.Size && f.ModTime == g.ModTime
}

// maxSegments is how many segments may pile up before they are merged.
const maxSegments = 64

func loadManifest(root string) (map[string]sourceFile, error) {
	segs, err := filepath.Glob(filepath.Join(root, manifestDir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	files := map[string]sourceFile{}
	for _, seg := range segs {
		if err := readSegment(seg, files); err != nil {
			return nil, fmt.Errorf("index: manifest %s: %w", seg, err)
		}
	}
	return files, nil
}

func readSegment(path string, into map[string]sourceFile) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e sourceFile
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return err
		}
		into[e.Name] = e
	}
	return sc.Err()
}

// appendManifest records files as ingested, merging the segments when there
// are too many. A merge writes the union before removing what it merged, so a
// crash in between only repeats entries.
func appendManifest(root string, files []sourceFile) error {
	if len(files) == 0 {
		return nil
	}
	if err := writeSegment(root, files); err != nil {
		return err
	}
	segs, err := filepath.Glob(filepath.Join(root, manifestDir, "*.jsonl"))
	if err != nil || len(segs) <= maxSegments {
		return err
	}
	all, err := loadManifest(root)
	if err != nil {
		return err
	}
	merged := make([]sourceFile, 0, len(all))
	for _, f := range all {
		merged = append(merged, f)
	}
	if err := writeSegment(root, merged); err != nil {
		return err
	}
	for _, s := range segs {
		if err := os.Remove(s); err != nil {
			return err
		}
	}
	return nil
}

// writeSegment writes one segment, named by its time and content so that
// segments sort by age and never collide.
func writeSegment(root string, files []sourceFile) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, f := range files {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	name := time.Now().UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(sum[:6]) + ".jsonl"
	return writeAtomic(filepath.Join(root, manifestDir, name), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}
