package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// fakeS3 is an in-memory bucket behind the S3API interface, with S3's
// listing semantics (prefix, delimiter, pagination) and injectable failures.
type fakeS3 struct {
	bucket   string
	objects  map[string][]byte
	pageSize int
	failList map[string]error // by exact listing prefix
	failGet  map[string]error // by key

	mu    sync.Mutex
	lists []string // "prefix|delimiter" of every ListObjectsV2 call
}

func newFakeS3(bucket string) *fakeS3 {
	return &fakeS3{bucket: bucket, objects: map[string][]byte{}, pageSize: 3,
		failList: map[string]error{}, failGet: map[string]error{}}
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	if aws.ToString(in.Bucket) != f.bucket {
		return nil, errors.New("NoSuchBucket")
	}
	prefix, delim := aws.ToString(in.Prefix), aws.ToString(in.Delimiter)
	if aws.ToString(in.ContinuationToken) == "" {
		f.mu.Lock()
		f.lists = append(f.lists, prefix+"|"+delim)
		f.mu.Unlock()
	}
	if err := f.failList[prefix]; err != nil {
		return nil, err
	}
	// Entries in key order: objects, and common prefixes at their first key.
	type entry struct {
		key    string
		prefix bool
	}
	var keys []string
	for k := range f.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var entries []entry
	seen := map[string]bool{}
	for _, k := range keys {
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if !seen[cp] {
					seen[cp] = true
					entries = append(entries, entry{cp, true})
				}
				continue
			}
		}
		entries = append(entries, entry{k, false})
	}
	start := 0
	if tok := aws.ToString(in.ContinuationToken); tok != "" {
		start, _ = strconv.Atoi(tok)
	}
	end := min(start+f.pageSize, len(entries))
	out := &s3.ListObjectsV2Output{}
	for _, e := range entries[start:end] {
		if e.prefix {
			out.CommonPrefixes = append(out.CommonPrefixes, types.CommonPrefix{Prefix: aws.String(e.key)})
		} else {
			out.Contents = append(out.Contents, types.Object{Key: aws.String(e.key), Size: aws.Int64(int64(len(f.objects[e.key])))})
		}
	}
	if end < len(entries) {
		out.IsTruncated = aws.Bool(true)
		out.NextContinuationToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	key := aws.ToString(in.Key)
	if err := f.failGet[key]; err != nil {
		return nil, err
	}
	data, ok := f.objects[key]
	if !ok {
		return nil, errors.New("NoSuchKey")
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(data))}, nil
}

func (f *fakeS3) listCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(slices.Values(f.lists))
}

// logFile builds a gzip'd CloudTrail file with one record per id, at t.
func logFile(t time.Time, ids ...string) []byte {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventVersion":"1.10","eventID":%q,"eventTime":%q,"eventName":"GetCallerIdentity"}`, id, t.Format(time.RFC3339))
	}
	b.WriteString(`]}`)
	return gzipBytes([]byte(b.String()))
}

// logKey is the key CloudTrail gives a log file delivered at t.
func logKey(prefix, org, account, region string, t time.Time, kind Kind) string {
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%x.json.gz", account, region, t.Format("20060102T1504Z"), t.Unix())
	if kind == KindDigest {
		name = fmt.Sprintf("%s_CloudTrail-Digest_%s_main_us-east-1_%s.json.gz", account, region, t.Format("20060102T150405Z"))
	}
	return RegionDir(prefix, org, account, kind, region) + t.Format("2006/01/02/") + name
}

// readAll runs Read and collects what it saw.
type readResult struct {
	ids     []string
	errs    []string
	objects []string
	stats   Stats
	err     error
}

func readAll(t *testing.T, src Source, cfg Config) readResult {
	t.Helper()
	var res readResult
	var mu sync.Mutex
	cfg.OnError = func(err error) {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("OnError got %T, want *FileError", err)
		}
		res.errs = append(res.errs, err.Error())
	}
	cfg.OnObject = func(o Object) { res.objects = append(res.objects, o.Name) }
	res.stats, res.err = Read(context.Background(), src, cfg, func(r *Record) error {
		mu.Lock()
		defer mu.Unlock()
		res.ids = append(res.ids, r.EventID)
		return nil
	})
	slices.Sort(res.ids)
	slices.Sort(res.errs)
	return res
}

var (
	mar7  = time.Date(2024, 3, 7, 12, 0, 0, 0, time.UTC)
	mar8  = time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	feb29 = time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
)

// trailBucket holds an organization trail, an account trail overlapping it,
// digests, insights and another service's logs.
func trailBucket() *fakeS3 {
	f := newFakeS3("trail-bucket")
	put := func(key string, data []byte) { f.objects[key] = data }
	for _, acct := range []string{"111111111111", "222222222222"} {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			for _, at := range []time.Time{feb29, mar7, mar8} {
				id := fmt.Sprintf("%s-%s-%s", acct, region, at.Format("0102"))
				put(logKey("", "o-abc123def4", acct, region, at, KindLog), logFile(at, id+"-a", id+"-b"))
				put(logKey("", "o-abc123def4", acct, region, at, KindDigest), []byte(`{"digest":true}`))
			}
		}
	}
	// The account trail of 111111111111 logged the same events on Mar 7.
	put(logKey("", "", "111111111111", "us-east-1", mar7, KindLog),
		logFile(mar7, "111111111111-us-east-1-0307-a", "111111111111-us-east-1-0307-b"))
	put("AWSLogs/o-abc123def4/111111111111/CloudTrail-Insight/us-east-1/2024/03/07/111111111111_CloudTrail-Insight_us-east-1_20240307T1200Z_x.json.gz",
		[]byte(`{"Records":[{"eventType":"AwsCloudTrailInsight"}]}`))
	put("AWSLogs/111111111111/Config/us-east-1/2024/3/7/ConfigHistory/111111111111_Config_us-east-1_ConfigHistory_x.json.gz",
		[]byte(`{"configurationItems":[]}`))
	return f
}

func TestS3WholePrefix(t *testing.T) {
	f := trailBucket()
	src, err := Open(context.Background(), "s3://trail-bucket", Options{S3: f})
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, src, Config{Concurrency: 3, Dedup: NewDedup(0)})
	if res.err != nil || len(res.errs) > 0 {
		t.Fatalf("err %v, file errors %v", res.err, res.errs)
	}
	// 2 accounts × 2 regions × 3 days × 2 records; the account trail's copies are dropped.
	if len(res.ids) != 24 || res.stats.Duplicates != 2 || res.stats.Files != 13 {
		t.Fatalf("%d records, %+v", len(res.ids), res.stats)
	}
	// 12 digests and the insight file are handed over, the Config file ignored.
	if len(res.objects) != 13 || res.stats.Skipped != 13 {
		t.Fatalf("objects %v", res.objects)
	}
	for _, o := range res.objects {
		if !strings.Contains(o, "CloudTrail-Digest/") && !strings.Contains(o, "CloudTrail-Insight/") {
			t.Fatalf("object %s handed over", o)
		}
	}
}

// TestS3RangeListsOnlyDays: a time range walks the layout with delimiters
// and lists only the day folders in range, never a month.
func TestS3RangeListsOnlyDays(t *testing.T) {
	f := trailBucket()
	opts := Options{S3: f, Since: time.Date(2024, 3, 7, 6, 0, 0, 0, time.UTC), Until: time.Date(2024, 3, 7, 18, 0, 0, 0, time.UTC)}
	src, err := Open(context.Background(), "s3://trail-bucket", opts)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, src, Config{Since: opts.Since, Until: opts.Until, Dedup: NewDedup(0)})
	if res.err != nil || len(res.errs) > 0 {
		t.Fatalf("err %v, file errors %v", res.err, res.errs)
	}
	if len(res.ids) != 8 || res.stats.Duplicates != 2 {
		t.Fatalf("records %v, %+v", res.ids, res.stats)
	}
	want := []string{
		"AWSLogs/111111111111/CloudTrail/us-east-1/2024/03/07/|",
		"AWSLogs/111111111111/CloudTrail/|/",
		"AWSLogs/o-abc123def4/111111111111/CloudTrail/eu-west-1/2024/03/07/|",
		"AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/03/07/|",
		"AWSLogs/o-abc123def4/111111111111/CloudTrail/|/",
		"AWSLogs/o-abc123def4/222222222222/CloudTrail/eu-west-1/2024/03/07/|",
		"AWSLogs/o-abc123def4/222222222222/CloudTrail/us-east-1/2024/03/07/|",
		"AWSLogs/o-abc123def4/222222222222/CloudTrail/|/",
		"AWSLogs/o-abc123def4/|/",
		"AWSLogs/|/",
	}
	if got := f.listCalls(); !reflect.DeepEqual(got, want) {
		t.Fatalf("list calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestS3RangeVariants(t *testing.T) {
	mar := func(d, h int) time.Time { return time.Date(2024, 3, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name   string
		src    string
		opts   Options
		now    time.Time
		lists  []string // the calls that list objects (no delimiter)
		probes int      // the calls with a delimiter
		ids    int
	}{
		{"prefix down to a region: no discovery",
			"s3://trail-bucket/AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/",
			Options{Since: mar(7, 6), Until: mar(8, 18)}, time.Time{},
			[]string{"AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/03/07/|",
				"AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/03/08/|"}, 0, 4},
		{"prefix with a day inside the range",
			"s3://trail-bucket/AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/03/08/",
			Options{Since: mar(7, 6), Until: mar(8, 18)}, time.Time{},
			[]string{"AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/03/08/|"}, 0, 2},
		{"prefix with a month holding the range",
			"s3://trail-bucket/AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/03/",
			Options{Since: mar(7, 6), Until: mar(7, 18)}, time.Time{},
			[]string{"AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/03/07/|"}, 0, 2},
		{"accounts and regions filter the discovery",
			"s3://trail-bucket/AWSLogs/o-abc123def4/",
			Options{Since: mar(7, 6), Until: mar(7, 18), Accounts: []string{"222222222222"}, Regions: []string{"eu-west-1"}}, time.Time{},
			[]string{"AWSLogs/o-abc123def4/222222222222/CloudTrail/eu-west-1/2024/03/07/|"}, 2, 2},
		{"since alone ends today",
			"s3://trail-bucket/AWSLogs/o-abc123def4/111111111111/CloudTrail/eu-west-1/",
			Options{Since: mar(8, 6)}, mar(9, 1),
			[]string{"AWSLogs/o-abc123def4/111111111111/CloudTrail/eu-west-1/2024/03/08/|",
				"AWSLogs/o-abc123def4/111111111111/CloudTrail/eu-west-1/2024/03/09/|"}, 0, 2},
		{"until alone lists the regions and filters the keys",
			"s3://trail-bucket/AWSLogs/o-abc123def4/111111111111/CloudTrail/eu-west-1/",
			Options{Until: mar(1, 0)}, time.Time{},
			[]string{"AWSLogs/o-abc123def4/111111111111/CloudTrail/eu-west-1/|"}, 0, 2},
		{"digests are listed when asked for",
			"s3://trail-bucket/AWSLogs/o-abc123def4/111111111111/",
			Options{Since: mar(7, 6), Until: mar(7, 18), Digests: true, Regions: []string{"us-east-1"}}, time.Time{},
			[]string{"AWSLogs/o-abc123def4/111111111111/CloudTrail-Digest/us-east-1/2024/03/07/|",
				"AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/03/07/|"}, 2, 2},
		{"partial account segment",
			"s3://trail-bucket/AWSLogs/o-abc123def4/2222",
			Options{Since: mar(7, 6), Until: mar(7, 18), Regions: []string{"us-east-1"}}, time.Time{},
			[]string{"AWSLogs/o-abc123def4/222222222222/CloudTrail/us-east-1/2024/03/07/|"}, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := trailBucket()
			tc.opts.S3 = f
			src, err := Open(context.Background(), tc.src, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.now.IsZero() {
				src.(*s3Source).now = func() time.Time { return tc.now }
			}
			res := readAll(t, src, Config{})
			if res.err != nil || len(res.errs) > 0 {
				t.Fatalf("err %v, file errors %v", res.err, res.errs)
			}
			var lists []string
			probes := 0
			for _, c := range f.listCalls() {
				if strings.HasSuffix(c, "|/") {
					probes++
				} else {
					lists = append(lists, c)
				}
			}
			if !reflect.DeepEqual(lists, tc.lists) || probes != tc.probes {
				t.Fatalf("listed %q and %d folders, want %q and %d", lists, probes, tc.lists, tc.probes)
			}
			if len(res.ids) != tc.ids {
				t.Fatalf("records %v", res.ids)
			}
		})
	}
}

func TestS3Failures(t *testing.T) {
	f := trailBucket()
	denied := errors.New("AccessDenied")
	f.failGet[logKey("", "o-abc123def4", "222222222222", "us-east-1", mar7, KindLog)] = denied
	f.failList["AWSLogs/o-abc123def4/111111111111/CloudTrail/"] = denied
	truncated := logKey("", "o-abc123def4", "222222222222", "eu-west-1", mar7, KindLog)
	f.objects[truncated] = gzipBytes([]byte(`{"Records":[{"eventID":"222222222222-eu-west-1-0307-a","eventTime":"2024-03-07T12:00:00Z"},{"eventID":"x","ev`))

	opts := Options{S3: f, Since: mar7.Add(-time.Hour), Until: mar7.Add(time.Hour)}
	src, err := Open(context.Background(), "s3://trail-bucket/AWSLogs/o-abc123def4/", opts)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, src, Config{Concurrency: 2})
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.errs) != 3 || res.stats.BadFiles != 3 {
		t.Fatalf("errors %q", res.errs)
	}
	for i, want := range []string{
		"s3://trail-bucket/AWSLogs/o-abc123def4/111111111111/CloudTrail/: ",
		"s3://trail-bucket/" + logKey("", "o-abc123def4", "222222222222", "eu-west-1", mar7, KindLog) + ": offset ",
		"s3://trail-bucket/" + logKey("", "o-abc123def4", "222222222222", "us-east-1", mar7, KindLog) + ": AccessDenied",
	} {
		if !strings.HasPrefix(res.errs[i], want) {
			t.Errorf("error %q, want it to start with %q", res.errs[i], want)
		}
	}
	// The truncated file delivered its records before the cut.
	if !reflect.DeepEqual(res.ids, []string{"222222222222-eu-west-1-0307-a"}) {
		t.Fatalf("records %v", res.ids)
	}

	// A bucket that cannot be listed at all fails the run.
	src, _ = Open(context.Background(), "s3://other-bucket/", Options{S3: f})
	if _, err := Read(context.Background(), src, Config{}, func(*Record) error { return nil }); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("Read on a missing bucket: %v", err)
	}
	if _, err := Open(context.Background(), "s3://bucket/x", Options{}); err == nil {
		t.Fatal("Open without an S3 client succeeded")
	}
}
