package verify

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseKey(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		key  string
		want location
		ok   bool
	}{
		{"p/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/07/111122223333_CloudTrail_us-east-1_20240307T2355Z_AbC123.json.gz",
			location{owner: "AWSLogs/111122223333/", region: "us-east-1", at: at("2024-03-07T23:55:00Z")}, true},
		{"AWSLogs/o-abc123def4/444455556666/CloudTrail-Digest/eu-west-1/2024/03/08/444455556666_CloudTrail-Digest_eu-west-1_org_trail-1_us-east-1_20240308T000031Z.json.gz",
			location{owner: "AWSLogs/o-abc123def4/444455556666/", region: "eu-west-1", at: at("2024-03-08T00:00:31Z"),
				digest: true, trail: "org_trail-1", home: "us-east-1"}, true},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/08/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20240308T000031Z_backfill.json.gz",
			location{owner: "AWSLogs/111122223333/", region: "us-east-1", at: at("2024-03-08T00:00:31Z"),
				digest: true, trail: "main", home: "us-east-1", backfill: true}, true},
		{"AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/03/08/111122223333_CloudTrail-Insight_us-east-1_20240308T0000Z_x.json.gz", location{}, false},
		{"AWSLogs/111122223333/Config/us-east-1/2024/03/08/ConfigSnapshot/x.json.gz", location{}, false},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/08/x.json.gz.metadata.json", location{}, false},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/08/111122223333_CloudTrail-Digest_us-east-1_20240308T000031Z.json.gz", location{}, false},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/08/111122223333_CloudTrail_us-east-1_garbage.json.gz", location{}, false},
		{"xAWSLogs/111122223333/CloudTrail/us-east-1/2024/03/07/111122223333_CloudTrail_us-east-1_20240307T2355Z_A.json.gz", location{}, false},
	}
	for _, c := range cases {
		got, ok := parseKey(c.key)
		if ok != c.ok || ok && !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseKey(%s)\n= %+v, %v\nwant %+v, %v", c.key, got, ok, c.want, c.ok)
		}
	}
}

func TestDatePrefixes(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02T15", s); return v }
	cases := []struct {
		since, until string
		want         string
	}{
		{"2024-03-07T20", "2024-03-08T01", "2024/03/07/ 2024/03/08/"},
		{"2024-01-30T00", "2024-03-02T00", "2024/01/30/ 2024/01/31/ 2024/02/ 2024/03/01/ 2024/03/02/"},
		{"2024-12-01T05", "2024-12-31T23", "2024/12/"},
		{"2024-03-08T00", "2024-03-07T00", ""},
	}
	for _, c := range cases {
		if got := strings.Join(datePrefixes(d(c.since), d(c.until)), " "); got != c.want {
			t.Errorf("%s..%s: %q, want %q", c.since, c.until, got, c.want)
		}
	}
}

func TestParseMetadata(t *testing.T) {
	want := map[string]string{"signature": "ab01", "signature-algorithm": "SHA256withRSA"}
	for _, doc := range []string{
		`{"signature":"ab01","signature-algorithm":"SHA256withRSA"}`,
		`{"AcceptRanges":"bytes","ContentLength":712,"Metadata":{"signature":"ab01","signature-algorithm":"SHA256withRSA"}}`,
		`{"x-amz-meta-Signature":"ab01","x-amz-meta-signature-algorithm":"SHA256withRSA","n":1}`,
	} {
		got, err := parseMetadata([]byte(doc))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v %v", doc, got, err)
		}
	}
	if _, err := parseMetadata([]byte(`{"Metadata":"x"}`)); err == nil {
		t.Error("a non-object Metadata was accepted")
	}
}

// Digest files name their log files by S3 key; a copy's keys cannot
// reach out of its directory.
func TestDirStaysInside(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "copy")
	os.Mkdir(root, 0o755)
	os.WriteFile(filepath.Join(parent, "secret.json.gz"), gz([]byte("{}")), 0o644)
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, key := range []string{"../secret.json.gz", "/etc/passwd"} {
		if r, _, err := d.Open(context.Background(), key); err == nil {
			r.Close()
			t.Errorf("%s opened", key)
		}
	}
	if _, _, err := d.Open(context.Background(), "nope.json.gz"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent key: %v, want fs.ErrNotExist", err)
	}
}

func TestS3OpenMissing(t *testing.T) {
	f := &fakeS3{b: newBucket()}
	_, _, err := NewS3(f, f.b.name, "").Open(context.Background(), "AWSLogs/x")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%v, want fs.ErrNotExist", err)
	}
}
