package detect

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/sigma"
)

func builtin(t testing.TB) []*sigma.Rule {
	t.Helper()
	rs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// readFileRecords parses every record of a CloudTrail file.
func readFileRecords(t testing.TB, path string) []*cloudtrail.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := cloudtrail.NewSplitter(f, path)
	var out []*cloudtrail.Record
	for {
		rec, err := s.NextRecord()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

func parse(t testing.TB, raw string) *cloudtrail.Record {
	t.Helper()
	rec, err := cloudtrail.ParseRecord([]byte(raw))
	if err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return rec
}

// ev is a test event: the fields CloudTrail always has, and overrides.
type ev map[string]any

var evSeq int

func (e ev) with(kv ...any) ev {
	out := ev{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// newEv returns an event of an IAM user at t.
func newEv(account, name, source string, t time.Time) ev {
	evSeq++
	return ev{
		"eventVersion": "1.09", "eventTime": t.UTC().Format(time.RFC3339), "eventSource": source, "eventName": name,
		"awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15",
		"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::" + account + ":user/mallory",
			"accountId": account, "userName": "mallory", "accessKeyId": "AKIAEXAMPLE"},
		"eventID":            fmt.Sprintf("00000000-0000-4000-8000-%012d", evSeq),
		"eventType":          "AwsApiCall",
		"readOnly":           false,
		"managementEvent":    true,
		"recipientAccountId": account,
	}
}

// writeTrail writes records as a gzip CloudTrail log file.
func writeTrail(t testing.TB, path string, recs ...ev) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body)
	zw.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// collector gathers detections.
type collector struct {
	mu  sync.Mutex
	got []Detection
}

func (c *collector) emit(d Detection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, d)
}

func (c *collector) ids() map[string]int {
	out := map[string]int{}
	for _, d := range c.got {
		out[d.RuleID]++
	}
	return out
}

// detectDir runs an engine with the given rules over a directory.
func detectDir(t testing.TB, rs []*sigma.Rule, dir string, cfg Config) (*collector, cloudtrail.Stats) {
	t.Helper()
	var c collector
	e, err := New(rs, Options{Emit: c.emit})
	if err != nil {
		t.Fatal(err)
	}
	src, err := cloudtrail.Open(context.Background(), dir, cloudtrail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.Detect(context.Background(), []cloudtrail.Source{src}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &c, st
}

// synthRecord returns the JSON of the i-th event of a synthetic stream, at
// t: the identity types, errors and nesting of a real trail, with many
// distinct principals and addresses so that correlations keep state for
// many groups. It appends rather than formats: the memory test makes
// millions.
func synthRecord(i int, t time.Time) []byte {
	account := []string{"111111111111", "222222222222", "333333333333"}[i%3]
	num := func(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
	b := make([]byte, 0, 1400)
	b = append(b, `{"eventVersion":"1.10","userIdentity":`...)
	name, source, ip := "DescribeInstances", "ec2.amazonaws.com", ""
	switch i % 20 {
	case 0, 1, 2: // IAM users: feed the long-term credentials correlation
		b = append(b, `{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::`...)
		b = num(append(append(b, account...), ":user/u"...), i%5000)
		b = append(append(append(b, `","accountId":"`...), account...), `","accessKeyId":"AKIAEXAMPLE","userName":"u"}`...)
		name, source = "GetSecretValue", "secretsmanager.amazonaws.com"
	case 3, 4, 5: // instance profiles: feed the instance credentials correlations
		b = append(b, `{"type":"AssumedRole","principalId":"AROAEXAMPLE:i","arn":"arn:aws:sts::`...)
		b = num(append(append(b, account...), ":assumed-role/node/i-"...), i%3000)
		b = append(append(append(b, `","accountId":"`...), account...), `","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::`...)
		b = append(append(b, account...), `:role/node","userName":"node"},"webIdFederationData":{},"attributes":{"creationDate":"2025-03-14T00:00:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}}`...)
	case 6, 7, 8:
		b = append(b, `{"type":"AWSService","invokedBy":"s3.amazonaws.com"}`...)
		name, source, ip = "Decrypt", "kms.amazonaws.com", "s3.amazonaws.com"
	default:
		b = append(b, `{"type":"AssumedRole","principalId":"AROAEXAMPLE:app","arn":"arn:aws:sts::`...)
		b = num(append(append(b, account...), ":assumed-role/app-"...), i%7000)
		b = append(append(append(b, `/s","accountId":"`...), account...), `","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::`...)
		b = append(append(b, account...), `:role/app","userName":"app"},"webIdFederationData":{},"attributes":{"creationDate":"2025-03-14T00:00:00Z","mfaAuthenticated":"false"}}}`...)
	}
	b = t.UTC().AppendFormat(append(b, `,"eventTime":"`...), time.RFC3339)
	b = append(append(append(append(b, `","eventSource":"`...), source...), `","eventName":"`...), name...)
	b = append(b, `","awsRegion":"eu-west-1","sourceIPAddress":"`...)
	if ip != "" {
		b = append(b, ip...)
	} else {
		b = num(append(num(append(num(append(b, "10."...), i/65536%256), '.'), i/256%256), '.'), i%256)
	}
	b = append(b, `","userAgent":"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64",`...)
	if i%20 > 8 && i%50 == 9 {
		b = append(b, `"errorCode":"AccessDenied","errorMessage":"not authorized",`...)
	}
	b = append(append(b, `"requestParameters":{"secretId":"arn:aws:secretsmanager:eu-west-1:`...), account...)
	b = num(append(b, ":secret:s"...), i%40)
	b = num(append(b, `","instancesSet":{"items":[{"instanceId":"i-0`...), i)
	b = num(append(b, `"}]}},"responseElements":null,"requestID":"r-`...), i)
	b = append(b, `","eventID":"`...)
	b = append(b, fmt.Sprintf("%08x-0000-4000-8000-%012x", i>>32, i&0xffffffffffff)...)
	b = append(append(b, `","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"`...), account...)
	b = append(append(b, `","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"`...), source...)
	return append(b, `"}}`...)
}
