package corpus

import (
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/secure-baseline/baseline/internal/verify"
)

// Digests are written as CloudTrail does with log file validation on: per
// account and region, one an hour listing the log files delivered in it
// with the SHA-256 of their JSON, each naming the previous one, signed
// (RSA PKCS#1 v1.5 SHA-256) over
//
//	digestEndTime "\n" bucket "/" key "\n" hex(SHA-256(digest JSON)) "\n" previous signature or "null"
//
// The signature is S3 user metadata, kept in a sidecar next to the digest as
// in a local copy that `trail verify` reads (internal/verify's doc.go).
// CloudTrail's private keys being its own, the corpus signs with a key
// generated for it and publishes the public one in PublicKeysName.

// PublicKeysName is the file, in the corpus directory, holding the key the
// digests are signed with as `aws cloudtrail list-public-keys` prints it:
// what `trail verify --public-keys` reads.
const PublicKeysName = "public-keys.json"

const (
	// trailBucket is the bucket the digests name: the local copy does not
	// know it, but it is part of what is signed.
	trailBucket        = "org-trail-bucket"
	trailName          = "org-trail"
	signatureAlgorithm = "SHA256withRSA"
	hashAlgorithm      = "SHA-256"
)

// digestDoc is a digest file, every field CloudTrail writes in its order.
type digestDoc struct {
	AWSAccountID                string      `json:"awsAccountId"`
	DigestStartTime             string      `json:"digestStartTime"`
	DigestEndTime               string      `json:"digestEndTime"`
	DigestS3Bucket              string      `json:"digestS3Bucket"`
	DigestS3Object              string      `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string      `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string      `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string     `json:"newestEventTime"` // null without log files
	OldestEventTime             *string     `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string     `json:"previousDigestS3Bucket"` // null when it starts a chain
	PreviousDigestS3Object      *string     `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string     `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string     `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string     `json:"previousDigestSignature"`
	LogFiles                    []digestLog `json:"logFiles"`
}

type digestLog struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// signer signs digests with the corpus's key.
type signer struct {
	key         *rsa.PrivateKey
	fingerprint string
}

// writeDigests writes the digest chain of every account and region, then
// the public key, and returns the number of digests.
func (p *plan) writeDigests(logs []logFile) (int, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return 0, err
	}
	// 32 hex digits like CloudTrail's fingerprints; verify only matches
	// them against the key file's.
	fp := md5.Sum(x509.MarshalPKCS1PublicKey(&key.PublicKey))
	s := signer{key: key, fingerprint: hex.EncodeToString(fp[:])}

	parts := p.partitions()
	counts, ends := make([]int, parts), make([]time.Time, parts)
	g := errgroup.Group{}
	g.SetLimit(runtime.GOMAXPROCS(0))
	for part := range min(parts, len(logs)) {
		g.Go(func() (err error) {
			counts[part], ends[part], err = p.writeChain(s, logs, part)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	n, last := 0, p.start
	for i := range parts {
		n += counts[i]
		if ends[i].After(last) {
			last = ends[i]
		}
	}
	return n, p.writePublicKey(s, last)
}

// writeChain writes the digests of partition part, one for every hour from
// its first delivery to its last, empty hours included as CloudTrail does,
// and returns their number and the end of the last one.
func (p *plan) writeChain(s signer, logs []logFile, part int) (int, time.Time, error) {
	parts := p.partitions()
	account, region := p.account(part/len(p.opts.Regions)), p.opts.Regions[part%len(p.opts.Regions)]
	byHour := map[time.Time][]*logFile{}
	var first, last time.Time
	for f := part; f < len(logs); f += parts {
		h := logs[f].delivered.Truncate(time.Hour)
		byHour[h] = append(byHour[h], &logs[f])
		if first.IsZero() || h.Before(first) {
			first = h
		}
		if h.After(last) {
			last = h
		}
	}
	var prevKey, prevHash, prevSig string
	n := 0
	for start := first; !start.After(last); start = start.Add(time.Hour) {
		end := start.Add(time.Hour)
		d := &digestDoc{
			AWSAccountID:    account,
			DigestStartTime: start.Format(time.RFC3339),
			DigestEndTime:   end.Format(time.RFC3339),
			DigestS3Bucket:  trailBucket,
			// The home region of an organization trail is its first one.
			DigestS3Object: "AWSLogs/" + p.opts.OrgID + "/" + account + "/CloudTrail-Digest/" + region + "/" + end.Format("2006/01/02/") +
				fmt.Sprintf("%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz", account, region, trailName, p.opts.Regions[0], end.Format("20060102T150405Z")),
			DigestPublicKeyFingerprint: s.fingerprint,
			DigestSignatureAlgorithm:   signatureAlgorithm,
			LogFiles:                   []digestLog{},
		}
		var oldest, newest time.Time
		for _, l := range byHour[start] {
			d.LogFiles = append(d.LogFiles, digestLog{S3Bucket: trailBucket, S3Object: l.key, HashValue: l.sha256, HashAlgorithm: hashAlgorithm,
				NewestEventTime: l.newest.Format(time.RFC3339), OldestEventTime: l.oldest.Format(time.RFC3339)})
			if oldest.IsZero() || l.oldest.Before(oldest) {
				oldest = l.oldest
			}
			if l.newest.After(newest) {
				newest = l.newest
			}
		}
		if len(d.LogFiles) > 0 {
			d.NewestEventTime, d.OldestEventTime = new(newest.Format(time.RFC3339)), new(oldest.Format(time.RFC3339))
		}
		if n > 0 {
			d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = new(trailBucket), new(prevKey)
			d.PreviousDigestHashValue, d.PreviousDigestHashAlgorithm = new(prevHash), new(hashAlgorithm)
			d.PreviousDigestSignature = new(prevSig)
		}
		var err error
		if prevHash, prevSig, err = p.writeDigest(s, d); err != nil {
			return n, end, err
		}
		prevKey = d.DigestS3Object
		n++
	}
	return n, last.Add(time.Hour), nil
}

// writeDigest signs and writes d and its metadata sidecar, and returns the
// hex SHA-256 of its JSON and its signature, which the next digest names.
func (p *plan) writeDigest(s signer, d *digestDoc) (hash, sig string, err error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(raw)
	hash = hex.EncodeToString(sum[:])
	prev := "null" // what the first digest of a chain signs
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	signed := sha256.Sum256([]byte(d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" + hash + "\n" + prev))
	b, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, signed[:])
	if err != nil {
		return "", "", err
	}
	sig = hex.EncodeToString(b)
	if _, err := p.writeGzip(d.DigestS3Object, raw); err != nil {
		return "", "", err
	}
	meta, err := json.Marshal(map[string]string{"signature": sig, "signature-algorithm": signatureAlgorithm})
	if err != nil {
		return "", "", err
	}
	path := filepath.Join(p.dir, filepath.FromSlash(d.DigestS3Object)) + verify.MetadataSuffix
	return hash, sig, os.WriteFile(path, meta, 0o644)
}

// writePublicKey writes the public key of s, valid from the start of the
// corpus to until, as `aws cloudtrail list-public-keys` prints it.
func (p *plan) writePublicKey(s signer, until time.Time) error {
	const cliTime = "2006-01-02T15:04:05-07:00" // the CLI's ISO 8601, +00:00 for UTC
	type entry struct{ Value, ValidityStartTime, ValidityEndTime, Fingerprint string }
	doc := struct{ PublicKeyList []entry }{[]entry{{
		Value:             base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&s.key.PublicKey)),
		ValidityStartTime: p.start.Format(cliTime),
		ValidityEndTime:   until.Format(cliTime),
		Fingerprint:       s.fingerprint,
	}}}
	body, err := json.MarshalIndent(doc, "", "    ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.dir, PublicKeysName), body, 0o644)
}
