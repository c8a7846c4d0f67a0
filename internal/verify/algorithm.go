package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// The one signature and hash algorithm CloudTrail uses.
const (
	signatureAlgorithm = "SHA256withRSA"
	hashAlgorithm      = "SHA-256"
)

// maxDigestSize bounds an uncompressed digest: real ones are kilobytes, and
// a digest is read whole to be hashed and parsed.
const maxDigestSize = 64 << 20

// digestFile is the content of a digest file; fields the algorithm does not
// use are left out.
type digestFile struct {
	DigestStartTime             string    `json:"digestStartTime"`
	DigestEndTime               string    `json:"digestEndTime"`
	DigestS3Bucket              string    `json:"digestS3Bucket"`
	DigestS3Object              string    `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string    `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string    `json:"digestSignatureAlgorithm"`
	PreviousDigestS3Bucket      *string   `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string   `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string   `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string   `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string   `json:"previousDigestSignature"`
	LogFiles                    []logFile `json:"logFiles"`
}

type logFile struct {
	S3Bucket      string `json:"s3Bucket"`
	S3Object      string `json:"s3Object"`
	HashValue     string `json:"hashValue"`
	HashAlgorithm string `json:"hashAlgorithm"`
}

// digest is one digest object as read and checked.
type digest struct {
	key        string
	loc        location
	file       digestFile
	start, end time.Time
	hash       string // hex SHA-256 of the uncompressed file
	signature  string // from the object's metadata
	status     Status
	detail     string
}

// trusted tells whether the digest's own signature holds, so its list of log
// files can be relied on.
func (d *digest) trusted() bool { return d.status == StatusValid || d.status == StatusChanged }

// signingString is the string CloudTrail signs for a digest.
func signingString(f *digestFile, hash string) []byte {
	prev := "null" // the first digest of a chain signs the literal null
	if f.PreviousDigestSignature != nil {
		prev = *f.PreviousDigestSignature
	}
	return []byte(f.DigestEndTime + "\n" + f.DigestS3Bucket + "/" + f.DigestS3Object + "\n" + hash + "\n" + prev)
}

// loadDigest reads, parses and checks the signature of one digest. Problems
// with the digest are recorded in its status; an error means the run cannot
// go on (ctx is done, or the keys could not be fetched).
func loadDigest(ctx context.Context, src Source, keys KeyProvider, key string, loc location) (*digest, error) {
	d := &digest{key: key, loc: loc, status: StatusValid}
	fail := func(status Status, format string, args ...any) (*digest, error) {
		d.status, d.detail = status, fmt.Sprintf(format, args...)
		return d, ctx.Err()
	}
	body, meta, err := src.Open(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		return fail(StatusMissing, "listed but gone")
	}
	if err != nil {
		return fail(StatusMissing, "unreadable: %v", err)
	}
	raw, err := gunzipAll(body, maxDigestSize)
	body.Close()
	if err != nil {
		return fail(StatusBadSignature, "not a gzip file: %v", err)
	}
	sum := sha256.Sum256(raw)
	d.hash = hex.EncodeToString(sum[:])
	if err := json.Unmarshal(raw, &d.file); err != nil {
		return fail(StatusBadSignature, "not a digest: %v", err)
	}
	f := &d.file
	if d.start, err = time.Parse(time.RFC3339, f.DigestStartTime); err != nil {
		return fail(StatusBadSignature, "bad digestStartTime %q", f.DigestStartTime)
	}
	if d.end, err = time.Parse(time.RFC3339, f.DigestEndTime); err != nil {
		return fail(StatusBadSignature, "bad digestEndTime %q", f.DigestEndTime)
	}
	// A digest proves nothing about a place it was not written to.
	moved := canonical(f.DigestS3Object) != canonical(key)
	if bucket := src.Bucket(); bucket != "" {
		moved = f.DigestS3Bucket != bucket || f.DigestS3Object != key
	}
	if moved {
		return fail(StatusBadSignature, "moved: the digest says it is s3://%s/%s", f.DigestS3Bucket, f.DigestS3Object)
	}
	d.signature = meta["signature"]
	if d.signature == "" {
		return fail(StatusBadSignature, "no signature in the object's metadata")
	}
	if alg := meta["signature-algorithm"]; alg != signatureAlgorithm || f.DigestSignatureAlgorithm != signatureAlgorithm {
		return fail(StatusBadSignature, "unsupported signature algorithm %q", alg)
	}
	// Backfill digests are signed when generated, with the key of that time.
	at := d.end
	if t, err := time.Parse(time.RFC3339, meta["backfill-generation-timestamp"]); err == nil && loc.backfill {
		at = t
	}
	pub, err := keys.PublicKey(ctx, loc.region, f.DigestPublicKeyFingerprint, at)
	if errors.Is(err, ErrUnknownKey) {
		return fail(StatusBadSignature, "%v", err)
	}
	if err != nil {
		return d, err
	}
	sig, err := hex.DecodeString(d.signature)
	if err != nil {
		return fail(StatusBadSignature, "signature is not hex")
	}
	h := sha256.Sum256(signingString(f, d.hash))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig) != nil {
		return fail(StatusBadSignature, "signature does not match the content (key %s)", f.DigestPublicKeyFingerprint)
	}
	return d, nil
}

// gunzipAll decompresses a whole (small) gzip stream, at most limit bytes.
func gunzipAll(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := gunzipTo(&buf, r, limit)
	return buf.Bytes(), err
}

// checkPrevious compares what d says of its predecessor with prev.
func checkPrevious(d, prev *digest) (ok bool, detail string) {
	f := d.file
	switch {
	case f.PreviousDigestHashAlgorithm != nil && *f.PreviousDigestHashAlgorithm != hashAlgorithm:
		return false, fmt.Sprintf("%s names an unsupported hash algorithm %q", d.key, *f.PreviousDigestHashAlgorithm)
	case f.PreviousDigestHashValue == nil || !strings.EqualFold(*f.PreviousDigestHashValue, prev.hash):
		return false, fmt.Sprintf("its hash is not the one %s recorded", d.key)
	case f.PreviousDigestSignature == nil || !strings.EqualFold(*f.PreviousDigestSignature, prev.signature):
		return false, fmt.Sprintf("its signature is not the one %s recorded", d.key)
	}
	return true, ""
}
