package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

// MetadataSuffix names the sidecar file that holds a digest's S3 user
// metadata in a local copy: DIGEST.json.gz + MetadataSuffix.
const MetadataSuffix = ".metadata.json"

// Dir is a local copy of a CloudTrail bucket, or of part of it: keys are
// found under the root as they are, or from their AWSLogs/ folder on, so a
// copy synced from below the trail's key prefix works too.
type Dir struct {
	root *os.Root // keys named by digests cannot reach outside it
}

// OpenDir opens a local copy rooted at dir.
func OpenDir(dir string) (*Dir, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return &Dir{root: root}, nil
}

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }

// Bucket is unknown for a copy.
func (d *Dir) Bucket() string { return "" }

// List walks the whole copy; the time range is applied by the caller.
func (d *Dir) List(ctx context.Context, _, _ time.Time, fn func(string) error) error {
	return fs.WalkDir(d.root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.Type().IsRegular() && strings.HasSuffix(p, ".json.gz") {
			return fn(p)
		}
		return nil
	})
}

// Open opens key and, for a digest, reads its sidecar metadata; a digest
// without one has no metadata (and so no signature).
func (d *Dir) Open(_ context.Context, key string) (io.ReadCloser, map[string]string, error) {
	name := path.Clean(key)
	f, err := d.root.Open(name)
	if errors.Is(err, fs.ErrNotExist) && canonical(name) != name {
		name = canonical(name)
		f, err = d.root.Open(name)
	}
	if err != nil {
		return nil, nil, err
	}
	if !isDigestKey(name) {
		return f, nil, nil
	}
	meta, err := d.metadata(name + MetadataSuffix)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, meta, nil
}

func (d *Dir) metadata(name string) (map[string]string, error) {
	b, err := d.root.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	meta, err := parseMetadata(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return meta, nil
}

// parseMetadata reads a sidecar: the user metadata map, or the output of
// `aws s3api head-object` whose "Metadata" member is that map. Keys are
// matched as S3 returns them: lower case, without x-amz-meta-.
func parseMetadata(b []byte) (map[string]string, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if inner, ok := doc["Metadata"]; ok {
		doc = nil
		if err := json.Unmarshal(inner, &doc); err != nil {
			return nil, fmt.Errorf("Metadata: %w", err)
		}
	}
	meta := make(map[string]string, len(doc))
	for k, raw := range doc {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			meta[strings.TrimPrefix(strings.ToLower(k), "x-amz-meta-")] = s
		}
	}
	return meta, nil
}
