package verify

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func TestParsePublicKeys(t *testing.T) {
	k := cloudTrailKey()
	pkcs1 := base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&k.PublicKey))
	pkix, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	fp := fingerprintOf(k)
	in := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, json string
		err        string    // a parse error containing this
		at         time.Time // else: the key must be found at at…
		unknown    bool      // …or not
	}{
		{name: "CLI v2 output", json: `{"PublicKeyList":[{"Value":"` + pkcs1 + `","ValidityStartTime":"2024-01-01T00:00:00+00:00","ValidityEndTime":"2025-01-01T00:00:00+00:00","Fingerprint":"` + fp + `"}]}`, at: in},
		{name: "epoch seconds", json: `{"PublicKeyList":[{"Value":"` + pkcs1 + `","ValidityStartTime":1704067200.0,"ValidityEndTime":1735689600,"Fingerprint":"` + strings.ToUpper(fp) + `"}]}`, at: in},
		{name: "PKIX DER", json: `{"PublicKeyList":[{"Value":"` + base64.StdEncoding.EncodeToString(pkix) + `","Fingerprint":"` + fp + `"}]}`, at: in},
		{name: "open validity", json: `{"PublicKeyList":[{"Value":"` + pkcs1 + `","Fingerprint":"` + fp + `"}]}`, at: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "not yet valid", json: `{"PublicKeyList":[{"Value":"` + pkcs1 + `","ValidityStartTime":"2024-01-01T00:00:00Z","Fingerprint":"` + fp + `"}]}`, at: time.Date(2023, 12, 30, 0, 0, 0, 0, time.UTC), unknown: true},
		{name: "retired", json: `{"PublicKeyList":[{"Value":"` + pkcs1 + `","ValidityEndTime":"2024-01-01T00:00:00Z","Fingerprint":"` + fp + `"}]}`, at: in, unknown: true},
		{name: "other fingerprint", json: `{"PublicKeyList":[{"Value":"` + pkcs1 + `","Fingerprint":"00112233445566778899aabbccddeeff"}]}`, at: in, unknown: true},
		{name: "empty", json: `{"PublicKeyList":[]}`, err: "no PublicKeyList entries"},
		{name: "not JSON", json: `PublicKeyList`, err: "public keys"},
		{name: "bad base64", json: `{"PublicKeyList":[{"Value":"%%%","Fingerprint":"` + fp + `"}]}`, err: "not base64"},
		{name: "not a key", json: `{"PublicKeyList":[{"Value":"AAAA","Fingerprint":"` + fp + `"}]}`, err: "not an RSA public key"},
		{name: "no fingerprint", json: `{"PublicKeyList":[{"Value":"` + pkcs1 + `"}]}`, err: "no Fingerprint"},
		{name: "bad time", json: `{"PublicKeyList":[{"Value":"` + pkcs1 + `","ValidityStartTime":"yesterday","Fingerprint":"` + fp + `"}]}`, err: "yesterday"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set, err := ParsePublicKeys(strings.NewReader(c.json))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := set.PublicKey(context.Background(), "us-east-1", fp, c.at)
			if c.unknown {
				if !errors.Is(err, ErrUnknownKey) {
					t.Fatalf("key found (%v), want ErrUnknownKey", err)
				}
				return
			}
			if err != nil || !got.Equal(&k.PublicKey) {
				t.Fatalf("key %v, err %v", got, err)
			}
		})
	}
}

// fakeCloudTrail answers ListPublicKeys per region, two keys a page.
type fakeCloudTrail struct {
	mu    sync.Mutex
	keys  map[string][]types.PublicKey // by region
	calls []string
	err   error
}

func (f *fakeCloudTrail) ListPublicKeys(_ context.Context, in *cloudtrail.ListPublicKeysInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.ListPublicKeysOutput, error) {
	var o cloudtrail.Options
	for _, fn := range optFns {
		fn(&o)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("%s %s..%s %s", o.Region, in.StartTime.Format(time.RFC3339), in.EndTime.Format(time.RFC3339), aws.ToString(in.NextToken)))
	if f.err != nil {
		return nil, f.err
	}
	keys := f.keys[o.Region]
	from := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &from)
	}
	out := &cloudtrail.ListPublicKeysOutput{PublicKeyList: keys[from:min(from+2, len(keys))]}
	if from+2 < len(keys) {
		out.NextToken = aws.String(fmt.Sprint(from + 2))
	}
	return out, nil
}

func TestAPIKeys(t *testing.T) {
	key := func(fp string, der []byte) types.PublicKey {
		return types.PublicKey{Fingerprint: aws.String(fp), Value: der,
			ValidityStartTime: aws.Time(t0.Add(-24 * time.Hour)), ValidityEndTime: aws.Time(t0.Add(24 * time.Hour))}
	}
	other := x509.MarshalPKCS1PublicKey(&otherKey().PublicKey)
	wanted := x509.MarshalPKCS1PublicKey(&cloudTrailKey().PublicKey)
	fake := &fakeCloudTrail{keys: map[string][]types.PublicKey{
		"eu-west-1": {key("a", other), key("b", other), key(fingerprintOf(cloudTrailKey()), wanted)},
		"us-east-1": {key("c", other)},
	}}
	keys := NewAPIKeys(fake)
	ctx := context.Background()
	fp := fingerprintOf(cloudTrailKey())
	if k, err := keys.PublicKey(ctx, "eu-west-1", fp, t0); err != nil || !k.Equal(&cloudTrailKey().PublicKey) {
		t.Fatalf("eu-west-1: %v %v", k, err)
	}
	if _, err := keys.PublicKey(ctx, "eu-west-1", fp, t0.Add(5*time.Hour)); err != nil {
		t.Fatal("a known key was not reused:", err)
	}
	// Each region signs with its own keys.
	for range 2 {
		if _, err := keys.PublicKey(ctx, "us-east-1", fp, t0); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("us-east-1: %v, want ErrUnknownKey", err)
		}
	}
	hour := t0.Truncate(time.Hour)
	span := hour.Add(-time.Hour).Format(time.RFC3339) + ".." + hour.Add(2*time.Hour).Format(time.RFC3339)
	want := []string{"eu-west-1 " + span + " ", "eu-west-1 " + span + " 2", "us-east-1 " + span + " "}
	if strings.Join(fake.calls, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls\n%s\nwant\n%s", strings.Join(fake.calls, "\n"), strings.Join(want, "\n"))
	}

	// An API failure is no verdict on the digest: the run stops.
	fake.err = errors.New("AccessDeniedException")
	if _, err := NewAPIKeys(fake).PublicKey(ctx, "eu-west-1", fp, t0); err == nil || errors.Is(err, ErrUnknownKey) {
		t.Fatalf("error %v", err)
	}
	f := newFixture(t)
	_, err := Verify(ctx, f.sources(t)["s3"], Options{Keys: NewAPIKeys(fake)}, func(Result) {})
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("Verify error %v", err)
	}
}
