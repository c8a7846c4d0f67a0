package verify

import (
	"bytes"
	"compress/gzip"
	"context"
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
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The tests stand in for CloudTrail with their own keys; generating one is
// slow, so each is made once.
var (
	cloudTrailKey = sync.OnceValue(func() *rsa.PrivateKey { return newKey() })
	otherKey      = sync.OnceValue(func() *rsa.PrivateKey { return newKey() })
)

func newKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func fingerprintOf(k *rsa.PrivateKey) string {
	sum := md5.Sum(x509.MarshalPKCS1PublicKey(&k.PublicKey))
	return hex.EncodeToString(sum[:])
}

// keysJSON is what `aws cloudtrail list-public-keys` prints for keys.
func keysJSON(keys ...*rsa.PrivateKey) []byte {
	type entry struct{ Value, ValidityStartTime, ValidityEndTime, Fingerprint string }
	var doc struct{ PublicKeyList []entry }
	for _, k := range keys {
		doc.PublicKeyList = append(doc.PublicKeyList, entry{
			Value:             base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&k.PublicKey)),
			ValidityStartTime: "2020-01-01T00:00:00+00:00",
			ValidityEndTime:   "2030-01-01T00:00:00+00:00",
			Fingerprint:       fingerprintOf(k),
		})
	}
	b, _ := json.Marshal(doc)
	return b
}

func testKeys(t testing.TB, keys ...*rsa.PrivateKey) *KeySet {
	t.Helper()
	set, err := ParsePublicKeys(bytes.NewReader(keysJSON(keys...)))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// bucket is an S3 bucket as CloudTrail fills it: objects and user metadata.
type bucket struct {
	name    string
	objects map[string][]byte
	meta    map[string]map[string]string
}

func newBucket() *bucket {
	return &bucket{name: "trail-bucket", objects: map[string][]byte{}, meta: map[string]map[string]string{}}
}

// trailSpec describes the delivery of one trail in one region.
type trailSpec struct {
	prefix, org, account, region, trail string
	start                               time.Time // first digest's start
	hours                               int       // one digest an hour
	logsPerHour, recordsPerLog          int
	off                                 []int // hours logging was off: no logs, no digest, and a new chain after
}

func (s trailSpec) dir(kind string) string {
	d := s.prefix + "AWSLogs/"
	if s.org != "" {
		d += s.org + "/"
	}
	return d + s.account + "/" + kind + "/" + s.region + "/"
}

// trail is what deliver wrote, in order.
type trail struct {
	digests, logs []string
}

// deliver writes the log files and signed digests of spec, as CloudTrail
// would.
func (b *bucket) deliver(t testing.TB, spec trailSpec) trail {
	t.Helper()
	var out trail
	var prev *digestDoc
	for h := range spec.hours {
		if slices.Contains(spec.off, h) {
			prev = nil
			continue
		}
		start := spec.start.Add(time.Duration(h) * time.Hour)
		end := start.Add(time.Hour)
		var files []logEntry
		for i := range spec.logsPerHour {
			at := start.Add(time.Duration(i+1) * 50 * time.Minute / time.Duration(spec.logsPerHour+1))
			key := spec.dir("CloudTrail") + at.Format("2006/01/02/") + fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz",
				spec.account, spec.region, at.Format("20060102T1504Z"), randomID())
			raw := logContent(spec, at, spec.recordsPerLog)
			b.objects[key] = gz(raw)
			sum := sha256.Sum256(raw)
			files = append(files, logEntry{S3Bucket: b.name, S3Object: key, HashValue: hex.EncodeToString(sum[:]), HashAlgorithm: "SHA-256",
				NewestEventTime: at.Format(time.RFC3339), OldestEventTime: at.Add(-time.Minute).Format(time.RFC3339)})
			out.logs = append(out.logs, key)
		}
		key := spec.dir("CloudTrail-Digest") + end.Format("2006/01/02/") + fmt.Sprintf("%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz",
			spec.account, spec.region, spec.trail, spec.region, end.Format("20060102T150405Z"))
		d := &digestDoc{
			AWSAccountID: spec.account, DigestStartTime: start.Format(time.RFC3339), DigestEndTime: end.Format(time.RFC3339),
			DigestS3Bucket: b.name, DigestS3Object: key, DigestPublicKeyFingerprint: fingerprintOf(cloudTrailKey()),
			DigestSignatureAlgorithm: "SHA256withRSA", LogFiles: files,
		}
		if prev != nil {
			d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = &b.name, &prev.DigestS3Object
			d.PreviousDigestHashValue, d.PreviousDigestHashAlgorithm = &prev.hash, aws.String("SHA-256")
			d.PreviousDigestSignature = &prev.signature
		}
		b.putDigest(d, cloudTrailKey())
		out.digests = append(out.digests, key)
		prev = d
	}
	return out
}

// digestDoc is a digest file as CloudTrail writes it, every field included.
type digestDoc struct {
	AWSAccountID                string     `json:"awsAccountId"`
	DigestStartTime             string     `json:"digestStartTime"`
	DigestEndTime               string     `json:"digestEndTime"`
	DigestS3Bucket              string     `json:"digestS3Bucket"`
	DigestS3Object              string     `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string     `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string     `json:"digestSignatureAlgorithm"`
	NewestEventTime             string     `json:"newestEventTime"`
	OldestEventTime             string     `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string    `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string    `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string    `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string    `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string    `json:"previousDigestSignature"`
	LogFiles                    []logEntry `json:"logFiles"`

	hash, signature string
}

type logEntry struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// putDigest stores d signed with key, written independently of the code
// under test from the documented algorithm.
func (b *bucket) putDigest(d *digestDoc, key *rsa.PrivateKey) {
	raw, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(raw)
	d.hash = hex.EncodeToString(sum[:])
	prev := "null"
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	toSign := sha256.Sum256([]byte(d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" + d.hash + "\n" + prev))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, toSign[:])
	if err != nil {
		panic(err)
	}
	d.signature = hex.EncodeToString(sig)
	b.objects[d.DigestS3Object] = gz(raw)
	b.meta[d.DigestS3Object] = map[string]string{"signature": d.signature, "signature-algorithm": "SHA256withRSA"}
}

// readDigest parses a stored digest back, for tests that alter one.
func (b *bucket) readDigest(t testing.TB, key string) *digestDoc {
	t.Helper()
	var d digestDoc
	if err := json.Unmarshal(gunzip(t, b.objects[key]), &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// logContent is a log file of n records shaped like CloudTrail's, varied
// like real ones (they compress about tenfold).
func logContent(spec trailSpec, at time.Time, n int) []byte {
	calls := []struct{ source, name, params string }{
		{"ec2", "DescribeInstances", `{"instancesSet":{},"filterSet":{"items":[{"name":"tag:Env","valueSet":{"items":[{"value":"prod"}]}}]}}`},
		{"s3", "GetObject", `{"bucketName":"data-%[1]s","key":"exports/%[1]s/part-%[2]d.parquet","Host":"data-%[1]s.s3.amazonaws.com"}`},
		{"sts", "AssumeRole", `{"roleArn":"arn:aws:iam::%[3]s:role/deploy-%[1]s","roleSessionName":"gha-%[2]d","durationSeconds":3600}`},
		{"kms", "Decrypt", `{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::data-%[1]s/exports/%[2]d"},"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`},
		{"iam", "PutRolePolicy", `{"roleName":"svc-%[1]s","policyName":"inline-%[2]d","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::data-%[1]s/*\"}]}"}`},
		{"lambda", "Invoke", `{"functionName":"arn:aws:lambda:us-east-1:%[3]s:function:worker-%[1]s","invocationType":"Event"}`},
	}
	agents := []string{"aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22", "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux",
		"Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219 lang/python#3.12.4", "console.amazonaws.com", "AWS Internal"}
	rng := mrand.New(mrand.NewPCG(uint64(at.UnixNano()), uint64(n)))
	hexID := func(k int) string {
		b := make([]byte, k/2)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return hex.EncodeToString(b)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		c := calls[rng.IntN(len(calls))]
		session, res := hexID(8), hexID(10)
		fmt.Fprintf(&buf, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA%s:%s",`+
			`"arn":"arn:aws:sts::%s:assumed-role/Admin/%s","accountId":"%s","accessKeyId":"ASIA%s",`+
			`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%s","arn":"arn:aws:iam::%s:role/Admin",`+
			`"accountId":"%s","userName":"Admin"},"attributes":{"creationDate":"%s","mfaAuthenticated":"false"}}},`+
			`"eventTime":"%s","eventSource":"%s.amazonaws.com","eventName":"%s","awsRegion":"%s",`+
			`"sourceIPAddress":"%d.%d.%d.%d","userAgent":"%s","requestParameters":%s,"responseElements":null,`+
			`"requestID":"%s","eventID":"%s","readOnly":%t,"eventType":"AwsApiCall",`+
			`"managementEvent":true,"recipientAccountId":"%s","eventCategory":"Management",`+
			`"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%s.%s.amazonaws.com"}}`,
			strings.ToUpper(hexID(16)), session, spec.account, session, spec.account, strings.ToUpper(hexID(16)),
			strings.ToUpper(hexID(16)), spec.account, spec.account, at.Add(-time.Duration(rng.IntN(3600))*time.Second).Format(time.RFC3339),
			at.Add(-time.Duration(n-i)*time.Second).Format(time.RFC3339), c.source, c.name, spec.region,
			rng.IntN(223)+1, rng.IntN(256), rng.IntN(256), rng.IntN(256), agents[rng.IntN(len(agents))],
			fmt.Sprintf(c.params, res, rng.IntN(100000), spec.account), randomUUID(), randomUUID(), rng.IntN(3) > 0,
			spec.account, c.source, spec.region)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func randomUUID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func gz(raw []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(raw)
	w.Close()
	return buf.Bytes()
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// writeDir copies the bucket to dir below strip (a key prefix left out, as
// `aws s3 sync s3://bucket/strip dir` would), with metadata sidecars.
func (b *bucket) writeDir(t testing.TB, dir, strip string) {
	t.Helper()
	for key, data := range b.objects {
		rel, ok := strings.CutPrefix(key, strip)
		if !ok {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if meta, ok := b.meta[key]; ok {
			side, _ := json.Marshal(meta)
			if err := os.WriteFile(p+MetadataSuffix, side, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fakeS3 serves a bucket through S3API with S3's listing semantics, and
// counts list calls.
type fakeS3 struct {
	b        *bucket
	pageSize int
	mu       sync.Mutex
	lists    []string // prefix|delimiter of each first page
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	prefix, delim := aws.ToString(in.Prefix), aws.ToString(in.Delimiter)
	if in.ContinuationToken == nil {
		f.mu.Lock()
		f.lists = append(f.lists, prefix+"|"+delim)
		f.mu.Unlock()
	}
	var keys []string
	for k := range f.b.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := &s3.ListObjectsV2Output{}
	after := aws.ToString(in.ContinuationToken)
	n := 0
	for _, k := range keys {
		if k <= after {
			continue
		}
		if n == f.pageSize {
			out.IsTruncated, out.NextContinuationToken = aws.Bool(true), aws.String(after)
			break
		}
		if i := strings.Index(k[len(prefix):], delim); delim != "" && i >= 0 {
			cp := k[:len(prefix)+i+len(delim)]
			out.CommonPrefixes = append(out.CommonPrefixes, types.CommonPrefix{Prefix: aws.String(cp)})
			after = cp + "\xff" // past every key below it
		} else {
			out.Contents = append(out.Contents, types.Object{Key: aws.String(k), Size: aws.Int64(int64(len(f.b.objects[k])))})
			after = k
		}
		n++
	}
	return out, nil
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	data, ok := f.b.objects[aws.ToString(in.Key)]
	if !ok || aws.ToString(in.Bucket) != f.b.name {
		return nil, &types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(data)), Metadata: f.b.meta[aws.ToString(in.Key)]}, nil
}
