package verify

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// readBufSize is the read size from a file or an S3 body: large reads keep
// syscalls and body chunking out of the profile.
const readBufSize = 256 << 10

// Readers are pooled: a gzip reader carries ~40 KB of inflate state and the
// buffered reader 256 KB, and a run opens one per log file.
var (
	bufReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufSize) }}
	gzReaders  = sync.Pool{New: func() any { return new(gzip.Reader) }}
)

var errTooLarge = errors.New("larger than allowed")

// gunzipTo streams the decompressed content of r to w, all gzip members of
// it: the reference CLI stops after the first, which would let appended
// events pass as valid. A limit above zero fails a longer output.
func gunzipTo(w io.Writer, r io.Reader, limit int64) (int64, error) {
	br := bufReaders.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() { br.Reset(nil); bufReaders.Put(br) }()
	zr := gzReaders.Get().(*gzip.Reader)
	defer gzReaders.Put(zr)
	if err := zr.Reset(br); err != nil {
		return 0, err
	}
	if limit > 0 {
		w = &capWriter{w: w, left: limit}
	}
	// WriteTo hands inflated blocks straight to w: no copy through a buffer.
	return zr.WriteTo(w)
}

// hashGzip returns the hex SHA-256 of the uncompressed content of a gzip
// stream, which is what a digest records for a log file.
func hashGzip(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := gunzipTo(h, r, 0); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

type capWriter struct {
	w    io.Writer
	left int64
}

func (c *capWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, errTooLarge
	}
	c.left -= int64(len(p))
	return c.w.Write(p)
}
