package cloudtrail

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// countingS3 records the listing calls made through the narrow interface.
type countingS3 struct {
	S3API
	mu    sync.Mutex
	lists []string
}

func (c *countingS3) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	if in.ContinuationToken == nil {
		c.mu.Lock()
		c.lists = append(c.lists, aws.ToString(in.Prefix)+"|"+aws.ToString(in.Delimiter))
		c.mu.Unlock()
	}
	return c.S3API.ListObjectsV2(ctx, in, opts...)
}

// TestS3Moto runs the S3 source on a real S3 API (moto) with the bucket the
// fake holds: the same records, the same list calls, so the fake's listing
// semantics are S3's.
func TestS3Moto(t *testing.T) {
	moto.Start(t)
	client := s3.NewFromConfig(moto.Config(t), func(o *s3.Options) {
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	ctx := context.Background()
	fake := trailBucket()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(fake.bucket)}); err != nil {
		t.Fatal(err)
	}
	for key, data := range fake.objects {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(fake.bucket), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
			t.Fatal(err)
		}
	}
	since, until := time.Date(2024, 3, 7, 6, 0, 0, 0, time.UTC), time.Date(2024, 3, 8, 18, 0, 0, 0, time.UTC)
	run := func(api S3API) readResult {
		src, err := Open(ctx, "s3://"+fake.bucket+"/AWSLogs/", Options{S3: api, Since: since, Until: until, Digests: true})
		if err != nil {
			t.Fatal(err)
		}
		res := readAll(t, src, Config{Since: since, Until: until, Concurrency: 4, Dedup: NewDedup(0)})
		if res.err != nil || len(res.errs) > 0 {
			t.Fatalf("err %v, file errors %v", res.err, res.errs)
		}
		slices.Sort(res.objects)
		return res
	}
	real := &countingS3{S3API: client}
	got, want := run(real), run(fake)
	if len(got.ids) != 16 || !reflect.DeepEqual(got.ids, want.ids) || !reflect.DeepEqual(got.objects, want.objects) {
		t.Fatalf("moto: %d records %v, objects %v\nfake: %v, objects %v", len(got.ids), got.ids, got.objects, want.ids, want.objects)
	}
	if slices.Sort(real.lists); !reflect.DeepEqual(real.lists, fake.listCalls()) {
		t.Fatalf("list calls on moto:\n%s\non the fake:\n%s", strings.Join(real.lists, "\n"), strings.Join(fake.listCalls(), "\n"))
	}
}
