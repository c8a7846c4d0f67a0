package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

var t0 = time.Date(2024, 3, 7, 20, 0, 31, 0, time.UTC) // the chains cross midnight

// fixture is a bucket with two trails under the key prefix "logs/": an
// account trail in us-east-1 and an organization trail (whose name has an
// underscore) in eu-west-1, six hourly digests of three log files each.
type fixture struct {
	b           *bucket
	acct, org   trail
	acctS, orgS trailSpec
}

func newFixture(t testing.TB, off ...int) *fixture {
	f := &fixture{b: newBucket()}
	f.acctS = trailSpec{prefix: "logs/", account: "111122223333", region: "us-east-1", trail: "main",
		start: t0, hours: 6, logsPerHour: 3, recordsPerLog: 4, off: off}
	f.orgS = trailSpec{prefix: "logs/", org: "o-abc123def4", account: "444455556666", region: "eu-west-1", trail: "org_trail-1",
		start: t0, hours: 6, logsPerHour: 3, recordsPerLog: 4}
	f.acct = f.b.deliver(t, f.acctS)
	f.org = f.b.deliver(t, f.orgS)
	return f
}

// sources serves the bucket through S3 and as a local copy synced from
// below the key prefix.
func (f *fixture) sources(t *testing.T) map[string]Source {
	t.Helper()
	dir := t.TempDir()
	f.b.writeDir(t, dir, "logs/")
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return map[string]Source{"dir": d, "s3": NewS3(&fakeS3{b: f.b, pageSize: 7}, f.b.name, "logs/")}
}

type outcome struct {
	results []Result
	sum     Summary
}

func run(t *testing.T, src Source, opts Options) outcome {
	t.Helper()
	if opts.Keys == nil {
		opts.Keys = testKeys(t, cloudTrailKey())
	}
	var o outcome
	var err error
	o.sum, err = Verify(context.Background(), src, opts, func(r Result) { o.results = append(o.results, r) })
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// problems lists the results that are not valid as "status key", keys from
// their AWSLogs/ folder on so that both sources read alike.
func (o outcome) problems() []string {
	var out []string
	for _, r := range o.results {
		if r.Status != StatusValid {
			out = append(out, string(r.Status)+" "+canonical(r.Key))
		}
	}
	slices.Sort(out)
	return out
}

func want(entries ...string) []string {
	for i, e := range entries {
		status, key, _ := strings.Cut(e, " ")
		entries[i] = status + " " + canonical(key)
	}
	slices.Sort(entries)
	return entries
}

func TestVerifyValid(t *testing.T) {
	f := newFixture(t)
	late, backfill := f.b.deliverBackfill(t, f.acctS, 2)
	// Written before log file validation was on: out of the digests' range.
	before := t0.Add(-30 * time.Minute)
	f.b.objects[f.acctS.dir("CloudTrail")+before.Format("2006/01/02/")+"111122223333_CloudTrail_us-east-1_"+
		before.Format("20060102T1504Z")+"_EARLY.json.gz"] = gz(logContent(f.acctS, before, 1))
	for name, src := range f.sources(t) {
		t.Run(name, func(t *testing.T) {
			o := run(t, src, Options{})
			if p := o.problems(); len(p) > 0 {
				t.Fatalf("problems on an untouched bucket: %v\n%v", p, o.results)
			}
			wantSum := Summary{Logs: 37, Digests: 13, Valid: 50, NewestDigest: t0.Add(6 * time.Hour)}
			if o.sum != wantSum || o.sum.Failed() {
				t.Fatalf("summary %+v, want %+v", o.sum, wantSum)
			}
			for _, key := range []string{late, backfill} {
				if !slices.ContainsFunc(o.results, func(r Result) bool { return canonical(r.Key) == canonical(key) }) {
					t.Errorf("%s not reported", key)
				}
			}
		})
	}
}

func TestVerifyTampering(t *testing.T) {
	cases := []struct {
		name   string
		off    []int
		tamper func(t *testing.T, f *fixture) []string // returns the problems expected
	}{
		{name: "changed log", tamper: func(t *testing.T, f *fixture) []string {
			k := f.acct.logs[4]
			f.b.objects[k] = gz([]byte(`{"Records":[]}`))
			return want("changed " + k)
		}},
		{name: "events appended as a second gzip member", tamper: func(t *testing.T, f *fixture) []string {
			k := f.org.logs[0]
			f.b.objects[k] = append(f.b.objects[k], gz([]byte(`{"Records":[{"eventName":"StopLogging"}]}`))...)
			return want("changed " + k)
		}},
		{name: "truncated log", tamper: func(t *testing.T, f *fixture) []string {
			k := f.acct.logs[7]
			f.b.objects[k] = f.b.objects[k][:len(f.b.objects[k])/2]
			return want("changed " + k)
		}},
		{name: "deleted log", tamper: func(t *testing.T, f *fixture) []string {
			k := f.org.logs[10]
			delete(f.b.objects, k)
			return want("missing " + k)
		}},
		{name: "forged digest", tamper: func(t *testing.T, f *fixture) []string {
			k := f.acct.digests[2]
			d := f.b.readDigest(t, k)
			d.LogFiles = d.LogFiles[1:] // hide a log file, keep the old signature
			raw, _ := json.Marshal(d)
			f.b.objects[k] = gz(raw)
			return want("bad_signature "+k, "not_covered "+f.acct.logs[6], "not_covered "+f.acct.logs[7], "not_covered "+f.acct.logs[8])
		}},
		{name: "forged digest blaming its predecessor", tamper: func(t *testing.T, f *fixture) []string {
			k := f.acct.digests[3]
			d := f.b.readDigest(t, k)
			d.PreviousDigestHashValue = aws.String(strings.Repeat("0", 64))
			raw, _ := json.Marshal(d)
			f.b.objects[k] = gz(raw)
			return want("bad_signature "+k, "not_covered "+f.acct.logs[9], "not_covered "+f.acct.logs[10], "not_covered "+f.acct.logs[11])
		}},
		{name: "digest signed with another key", tamper: func(t *testing.T, f *fixture) []string {
			k := f.org.digests[1]
			d := f.b.readDigest(t, k)
			f.b.putDigest(d, otherKey())
			return want("bad_signature "+k, "not_covered "+f.org.logs[3], "not_covered "+f.org.logs[4], "not_covered "+f.org.logs[5])
		}},
		{name: "digest without signature metadata", tamper: func(t *testing.T, f *fixture) []string {
			k := f.acct.digests[1]
			delete(f.b.meta, k)
			return want("bad_signature "+k, "not_covered "+f.acct.logs[3], "not_covered "+f.acct.logs[4], "not_covered "+f.acct.logs[5])
		}},
		{name: "digest removed from the middle", tamper: func(t *testing.T, f *fixture) []string {
			k := f.org.digests[3]
			delete(f.b.objects, k)
			delete(f.b.meta, k)
			return want("missing "+k, "not_covered "+f.org.logs[9], "not_covered "+f.org.logs[10], "not_covered "+f.org.logs[11])
		}},
		{name: "digest moved", tamper: func(t *testing.T, f *fixture) []string {
			k := f.acct.digests[3]
			moved := strings.Replace(k, "_main_", "_other_", 1)
			f.b.objects[moved], f.b.meta[moved] = f.b.objects[k], f.b.meta[k]
			delete(f.b.objects, k)
			return want("bad_signature "+moved, "missing "+k,
				"not_covered "+f.acct.logs[9], "not_covered "+f.acct.logs[10], "not_covered "+f.acct.logs[11])
		}},
		{name: "previous digest replaced by another signed one", tamper: func(t *testing.T, f *fixture) []string {
			k := f.org.digests[2]
			d := f.b.readDigest(t, k)
			d.NewestEventTime = t0.Format(time.RFC3339)
			f.b.putDigest(d, cloudTrailKey())
			return want("changed " + k)
		}},
		{name: "log file no digest lists", tamper: func(t *testing.T, f *fixture) []string {
			at := t0.Add(2*time.Hour + 30*time.Minute)
			k := f.acctS.dir("CloudTrail") + at.Format("2006/01/02/") + "111122223333_CloudTrail_us-east-1_" + at.Format("20060102T1504Z") + "_INJECTED.json.gz"
			f.b.objects[k] = gz(logContent(f.acctS, at, 1))
			return want("not_covered " + k)
		}},
		{name: "logging stopped for an hour", off: []int{2}, tamper: func(t *testing.T, f *fixture) []string {
			return want("gap " + f.acct.digests[2])
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.off...)
			wantProblems := c.tamper(t, f)
			for name, src := range f.sources(t) {
				o := run(t, src, Options{})
				if got := o.problems(); !reflect.DeepEqual(got, wantProblems) {
					t.Errorf("%s: problems\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
				}
				if !o.sum.Failed() {
					t.Errorf("%s: summary %+v does not fail", name, o.sum)
				}
			}
		})
	}
}

func TestVerifyWrongKey(t *testing.T) {
	f := newFixture(t)
	o := run(t, f.sources(t)["dir"], Options{Keys: testKeys(t, otherKey())})
	if s := o.sum; s.BadSignature != 12 || s.NotCovered != 36 || s.Valid != 0 || !s.Failed() {
		t.Fatalf("summary %+v", s)
	}
	if !strings.Contains(o.results[0].Detail, "no key has fingerprint "+fingerprintOf(cloudTrailKey())) {
		t.Fatalf("detail %q does not name the fingerprint", o.results[0].Detail)
	}
}

func TestVerifyRange(t *testing.T) {
	f := newFixture(t)
	// Out of range: not judged, so not reported.
	delete(f.b.objects, f.acct.logs[0])
	delete(f.b.objects, f.org.digests[0])
	since, until := t0.Add(3*time.Hour), t0.Add(4*time.Hour)
	for name, src := range f.sources(t) {
		t.Run(name, func(t *testing.T) {
			o := run(t, src, Options{Since: since, Until: until})
			if p := o.problems(); len(p) > 0 {
				t.Fatalf("problems out of range: %v", p)
			}
			// Digests ending from since to until+2h; their log files, and
			// those of the first, which began before since.
			if o.sum.Digests != 8 || o.sum.Logs != 24 {
				t.Fatalf("summary %+v", o.sum)
			}
		})
	}
	// Written after the newest digest: not digested yet, so not judged
	// even though until is later.
	pending := t0.Add(6*time.Hour + 5*time.Minute)
	f.b.objects[f.acctS.dir("CloudTrail")+pending.Format("2006/01/02/")+"111122223333_CloudTrail_us-east-1_"+
		pending.Format("20060102T1504Z")+"_PENDING.json.gz"] = gz(logContent(f.acctS, pending, 1))
	if o := run(t, f.sources(t)["s3"], Options{Since: since, Until: t0.Add(8 * time.Hour)}); len(o.problems()) > 0 {
		t.Fatalf("problems: %v", o.problems())
	}
	// A deletion in range is still seen.
	delete(f.b.objects, f.org.digests[2])
	o := run(t, f.sources(t)["s3"], Options{Since: since, Until: until})
	if got, w := o.problems(), want("missing "+f.org.digests[2]); !reflect.DeepEqual(got, w) {
		t.Fatalf("problems %v, want %v", got, w)
	}
}

func TestVerifyMaxAge(t *testing.T) {
	f := newFixture(t)
	src := f.sources(t)["dir"]
	now := func() time.Time { return t0.Add(8 * time.Hour) } // newest digest: 2h old
	o := run(t, src, Options{Now: now, MaxAge: 3 * time.Hour})
	if o.sum.Failed() || o.sum.NewestDigest != t0.Add(6*time.Hour) {
		t.Fatalf("fresh enough: %+v", o.sum)
	}
	o = run(t, src, Options{Now: now, MaxAge: time.Hour})
	if got, w := o.problems(), want("gap "+f.acct.digests[5], "gap "+f.org.digests[5]); !reflect.DeepEqual(got, w) || !o.sum.Failed() {
		t.Fatalf("stale: problems %v, want %v; %+v", got, w, o.sum)
	}
	o = run(t, src, Options{Now: now})
	if o.sum.Failed() {
		t.Fatal("no MaxAge: the age alone must not fail")
	}
}

// A backfill digest is signed when generated, with the key of that day.
func TestVerifyBackfillKey(t *testing.T) {
	f := newFixture(t)
	_, backfill := f.b.deliverBackfill(t, f.acctS, 2)
	keys := testKeys(t, cloudTrailKey())
	keys.keys[0].from = t0.Add(50 * time.Hour) // after every regular digest, before the backfill's generation
	o := run(t, f.sources(t)["dir"], Options{Keys: keys})
	for _, r := range o.results {
		if r.Key == canonical(backfill) && r.Status != StatusValid {
			t.Fatalf("backfill digest: %+v", r)
		}
	}
	if o.sum.BadSignature != 12 {
		t.Fatalf("regular digests signed before the key was valid: %+v", o.sum)
	}
}

// A bucket with log files and no digests at all: nothing is covered.
func TestVerifyNoDigests(t *testing.T) {
	f := newFixture(t)
	for k := range f.b.objects {
		if isDigestKey(k) {
			delete(f.b.objects, k)
		}
	}
	o := run(t, f.sources(t)["s3"], Options{})
	if s := o.sum; s.NotCovered != 36 || s.Digests != 0 || !s.Failed() {
		t.Fatalf("summary %+v", s)
	}
}

func TestS3ListsOnlyTheRange(t *testing.T) {
	f := newFixture(t)
	fake := &fakeS3{b: f.b, pageSize: 1000}
	src := NewS3(fake, f.b.name, "logs/")
	run(t, src, Options{Since: t0.Add(5 * time.Hour), Until: t0.Add(5 * time.Hour)})
	slices.Sort(fake.lists)
	var want []string
	for _, o := range []struct{ dir, region string }{
		{"AWSLogs/111122223333/", "us-east-1/"}, {"AWSLogs/o-abc123def4/444455556666/", "eu-west-1/"},
	} {
		for _, kind := range []string{"CloudTrail/", "CloudTrail-Digest/"} {
			d := "logs/" + o.dir + kind
			want = append(want, d+"|/", d+o.region+"2024/03/08/|")
		}
	}
	want = append(want, "logs/AWSLogs/o-abc123def4/|/", "logs/AWSLogs/|/")
	slices.Sort(want)
	if !reflect.DeepEqual(fake.lists, want) {
		t.Fatalf("list calls\n%s\nwant\n%s", strings.Join(fake.lists, "\n"), strings.Join(want, "\n"))
	}
}

func TestVerifyResultJSON(t *testing.T) {
	b, _ := json.Marshal(Result{Key: "k", Kind: KindLog, Status: StatusNotCovered})
	if string(b) != `{"key":"k","kind":"log","status":"not_covered"}` {
		t.Fatal(string(b))
	}
}

// deliverBackfill writes a log file of hour h that was late for its digest
// and the backfill digest that lists it, signed some hours later.
func (b *bucket) deliverBackfill(t testing.TB, spec trailSpec, h int) (logKey, digestKey string) {
	t.Helper()
	start := spec.start.Add(time.Duration(h) * time.Hour)
	end := start.Add(time.Hour)
	at := start.Add(55 * time.Minute)
	logKey = spec.dir("CloudTrail") + at.Format("2006/01/02/") + fmt.Sprintf("%s_CloudTrail_%s_%s_LATE.json.gz",
		spec.account, spec.region, at.Format("20060102T1504Z"))
	raw := logContent(spec, at, 2)
	b.objects[logKey] = gz(raw)
	sum := sha256.Sum256(raw)
	digestKey = spec.dir("CloudTrail-Digest") + end.Format("2006/01/02/") + fmt.Sprintf("%s_CloudTrail-Digest_%s_%s_%s_%s_backfill.json.gz",
		spec.account, spec.region, spec.trail, spec.region, end.Format("20060102T150405Z"))
	b.putDigest(&digestDoc{
		AWSAccountID: spec.account, DigestStartTime: start.Format(time.RFC3339), DigestEndTime: end.Format(time.RFC3339),
		DigestS3Bucket: b.name, DigestS3Object: digestKey, DigestPublicKeyFingerprint: fingerprintOf(cloudTrailKey()),
		DigestSignatureAlgorithm: "SHA256withRSA",
		LogFiles:                 []logEntry{{S3Bucket: b.name, S3Object: logKey, HashValue: hex.EncodeToString(sum[:]), HashAlgorithm: "SHA-256"}},
	}, cloudTrailKey())
	b.meta[digestKey]["backfill-generation-timestamp"] = end.Add(72 * time.Hour).Format(time.RFC3339)
	return logKey, digestKey
}
