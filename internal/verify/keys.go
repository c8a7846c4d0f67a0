package verify

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// KeyProvider returns the public key with a fingerprint that signed a digest
// of region at time at. It is called from several goroutines.
type KeyProvider interface {
	PublicKey(ctx context.Context, region, fingerprint string, at time.Time) (*rsa.PublicKey, error)
}

// ErrUnknownKey is the error of a KeyProvider that has no valid key with
// the fingerprint asked: the digest then fails verification. Any other
// error stops the run (the keys could not be read).
var ErrUnknownKey = errors.New("unknown public key")

// validitySlack widens a key's validity period: a digest is signed a little
// after its end time, and backfills later still.
const validitySlack = 24 * time.Hour

type publicKey struct {
	fingerprint string
	key         *rsa.PublicKey
	from, until time.Time // zero: unbounded
}

// KeySet is a fixed set of CloudTrail public keys, such as the output of
// `aws cloudtrail list-public-keys`. Fingerprints are unique across regions,
// so the region is not needed to pick a key.
type KeySet struct {
	keys []publicKey
}

// PublicKey returns the key with fingerprint if it was valid at at.
func (s *KeySet) PublicKey(_ context.Context, _, fingerprint string, at time.Time) (*rsa.PublicKey, error) {
	k, found := s.lookup(fingerprint, at)
	if k != nil {
		return k, nil
	}
	if found {
		return nil, fmt.Errorf("%w: %s was not valid at %s", ErrUnknownKey, fingerprint, at.Format(time.RFC3339))
	}
	return nil, fmt.Errorf("%w: no key has fingerprint %s", ErrUnknownKey, fingerprint)
}

// lookup returns the key valid at at, and whether the fingerprint is known.
func (s *KeySet) lookup(fingerprint string, at time.Time) (*rsa.PublicKey, bool) {
	found := false
	for _, k := range s.keys {
		if !strings.EqualFold(k.fingerprint, fingerprint) {
			continue
		}
		found = true
		if (k.from.IsZero() || !at.Before(k.from.Add(-validitySlack))) &&
			(k.until.IsZero() || !at.After(k.until.Add(validitySlack))) {
			return k.key, true
		}
	}
	return nil, found
}

func (s *KeySet) add(fingerprint string, der []byte, from, until time.Time) error {
	for _, k := range s.keys {
		if k.fingerprint == fingerprint && k.from.Equal(from) && k.until.Equal(until) {
			return nil // fetched again by an overlapping ListPublicKeys
		}
	}
	key, err := parseRSAPublicKey(der)
	if err != nil {
		return fmt.Errorf("public key %s: %w", fingerprint, err)
	}
	s.keys = append(s.keys, publicKey{fingerprint: fingerprint, key: key, from: from, until: until})
	return nil
}

// parseRSAPublicKey reads the DER PKCS#1 RSAPublicKey CloudTrail publishes,
// or a PKIX SubjectPublicKeyInfo holding one.
func parseRSAPublicKey(der []byte) (*rsa.PublicKey, error) {
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("not an RSA public key in DER")
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("not an RSA public key (%T)", k)
	}
	return rk, nil
}

// ParsePublicKeys reads the JSON `aws cloudtrail list-public-keys` prints:
// {"PublicKeyList": [{"Value": base64 DER, "ValidityStartTime",
// "ValidityEndTime", "Fingerprint"}]}. Times may be ISO 8601 strings or
// epoch seconds (the CLI's two timestamp formats).
func ParsePublicKeys(r io.Reader) (*KeySet, error) {
	var doc struct {
		PublicKeyList []struct {
			Value             string
			ValidityStartTime cliTime
			ValidityEndTime   cliTime
			Fingerprint       string
		}
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("public keys: %w", err)
	}
	if len(doc.PublicKeyList) == 0 {
		return nil, fmt.Errorf("public keys: no PublicKeyList entries")
	}
	set := &KeySet{}
	for i, k := range doc.PublicKeyList {
		if k.Fingerprint == "" {
			return nil, fmt.Errorf("public keys: entry %d has no Fingerprint", i)
		}
		der, err := base64.StdEncoding.DecodeString(k.Value)
		if err != nil {
			return nil, fmt.Errorf("public keys: %s: Value is not base64: %w", k.Fingerprint, err)
		}
		if err := set.add(k.Fingerprint, der, time.Time(k.ValidityStartTime), time.Time(k.ValidityEndTime)); err != nil {
			return nil, fmt.Errorf("public keys: %w", err)
		}
	}
	return set, nil
}

// cliTime is a timestamp as the AWS CLI prints it.
type cliTime time.Time

func (t *cliTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		secs, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return fmt.Errorf("time %s: neither a string nor epoch seconds", b)
		}
		*t = cliTime(time.Unix(0, int64(secs*1e9)).UTC())
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time %q: %w", s, err)
	}
	*t = cliTime(v)
	return nil
}

// ListPublicKeysAPI is the part of *cloudtrail.Client the key provider
// calls.
type ListPublicKeysAPI interface {
	ListPublicKeys(ctx context.Context, in *cloudtrail.ListPublicKeysInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.ListPublicKeysOutput, error)
}

// APIKeys fetches keys from cloudtrail:ListPublicKeys in the digest's
// region (each region signs with its own keys) around the signing time,
// and keeps them: keys rotate rarely, so a run makes about one call per
// region.
type APIKeys struct {
	client ListPublicKeysAPI
	mu     sync.Mutex
	sets   map[string]*KeySet
	asked  map[string]bool // region|hour already fetched
}

// NewAPIKeys returns a KeyProvider backed by ListPublicKeys.
func NewAPIKeys(client ListPublicKeysAPI) *APIKeys {
	return &APIKeys{client: client, sets: map[string]*KeySet{}, asked: map[string]bool{}}
}

func (a *APIKeys) PublicKey(ctx context.Context, region, fingerprint string, at time.Time) (*rsa.PublicKey, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	set := a.sets[region]
	if set == nil {
		set = &KeySet{}
		a.sets[region] = set
	}
	if k, _ := set.lookup(fingerprint, at); k != nil {
		return k, nil
	}
	hour := at.UTC().Truncate(time.Hour)
	if ask := region + "|" + hour.Format(time.RFC3339); !a.asked[ask] {
		if err := a.fetch(ctx, region, set, hour.Add(-time.Hour), hour.Add(2*time.Hour)); err != nil {
			return nil, err
		}
		a.asked[ask] = true
	}
	return set.PublicKey(ctx, region, fingerprint, at)
}

func (a *APIKeys) fetch(ctx context.Context, region string, set *KeySet, start, end time.Time) error {
	inRegion := func(o *cloudtrail.Options) {
		if region != "" {
			o.Region = region
		}
	}
	in := &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(start), EndTime: aws.Time(end)}
	for {
		out, err := a.client.ListPublicKeys(ctx, in, inRegion)
		if err != nil {
			return fmt.Errorf("cloudtrail:ListPublicKeys in %s: %w", region, err)
		}
		for _, k := range out.PublicKeyList {
			if err := set.add(aws.ToString(k.Fingerprint), k.Value, aws.ToTime(k.ValidityStartTime), aws.ToTime(k.ValidityEndTime)); err != nil {
				return err
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return nil
		}
		in.NextToken = out.NextToken
	}
}
