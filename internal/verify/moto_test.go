package verify

import (
	"bytes"
	"context"
	"io"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// TestMotoS3 verifies a bucket on a real S3 API (moto): the signature comes
// from the objects' user metadata as CloudTrail stores it there.
func TestMotoS3(t *testing.T) {
	moto.Start(t)
	client := s3.NewFromConfig(moto.Config(t), func(o *s3.Options) {
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	ctx := context.Background()
	f := newFixture(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(f.b.name)}); err != nil {
		t.Fatal(err)
	}

	// The test means something only if the emulator keeps user metadata.
	probe := map[string]string{"signature": "00ff", "signature-algorithm": "SHA256withRSA"}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(f.b.name), Key: aws.String("probe"),
		Body: bytes.NewReader(nil), Metadata: probe}); err != nil {
		t.Fatal(err)
	}
	got, err := NewS3(client, f.b.name, "").openMeta(ctx, "probe")
	if err != nil || !reflect.DeepEqual(got, probe) {
		t.Fatalf("moto returned metadata %v (%v), want %v", got, err, probe)
	}

	for key, data := range f.b.objects {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(f.b.name), Key: aws.String(key),
			Body: bytes.NewReader(data), Metadata: maps.Clone(f.b.meta[key])}); err != nil {
			t.Fatal(err)
		}
	}
	src := NewS3(client, f.b.name, "logs/")
	if o := run(t, src, Options{}); len(o.problems()) > 0 || o.sum.Digests != 12 || o.sum.Logs != 36 {
		t.Fatalf("untouched: %v %+v", o.problems(), o.sum)
	}
	gone, forged := f.org.logs[13], f.acct.digests[4]
	if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(f.b.name), Key: aws.String(gone)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(f.b.name), Key: aws.String(forged),
		Body: bytes.NewReader(gz([]byte(`{}`))), Metadata: f.b.meta[forged]}); err != nil {
		t.Fatal(err)
	}
	// With a range, the source walks the layout with delimiters: S3's
	// listing semantics, not the fake's.
	o := run(t, src, Options{Since: t0.Add(3 * time.Hour), Now: func() time.Time { return t0.Add(7 * time.Hour) }})
	wantProblems := want("missing "+gone, "bad_signature "+forged,
		"not_covered "+f.acct.logs[12], "not_covered "+f.acct.logs[13], "not_covered "+f.acct.logs[14])
	if got := o.problems(); !reflect.DeepEqual(got, wantProblems) {
		t.Fatalf("problems %v, want %v", got, wantProblems)
	}
}

// openMeta reads an object's metadata through the source.
func (s *S3) openMeta(ctx context.Context, key string) (map[string]string, error) {
	body, meta, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, body)
	return meta, body.Close()
}
