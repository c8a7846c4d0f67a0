package verify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Kind is what a Result is about.
type Kind string

const (
	KindLog    Kind = "log"
	KindDigest Kind = "digest"
)

// Status is the verdict on one object, or a gap in a digest chain.
type Status string

const (
	StatusValid        Status = "valid"
	StatusChanged      Status = "changed"       // content differs from what was recorded
	StatusMissing      Status = "missing"       // recorded but absent (or unreadable)
	StatusNotCovered   Status = "not_covered"   // a log file no trusted digest lists
	StatusBadSignature Status = "bad_signature" // a digest that cannot be authenticated
	StatusGap          Status = "gap"           // no digests for a while: see Detail
)

// Result is one line of the report.
type Result struct {
	Key    string `json:"key"`
	Kind   Kind   `json:"kind"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Options tune Verify.
type Options struct {
	// Since and Until bound the log files judged (by the time in their
	// names); zero: the range the digests cover.
	Since, Until time.Time
	// Keys provides CloudTrail's public keys. Required.
	Keys KeyProvider
	// MaxAge, when set, reports every account and region whose newest
	// digest ended longer ago than this before Until (or now) as a gap.
	MaxAge time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Concurrency bounds the objects read at once; 0: 2×GOMAXPROCS, at
	// least 4 (S3 reads wait on the network).
	Concurrency int
}

// Summary counts the results.
type Summary struct {
	Logs         int `json:"logs"`
	Digests      int `json:"digests"`
	Valid        int `json:"valid"`
	Changed      int `json:"changed"`
	Missing      int `json:"missing"`
	NotCovered   int `json:"not_covered"`
	BadSignature int `json:"bad_signature"`
	Gaps         int `json:"gaps"`
	// NewestDigest is the end of the newest valid digest, for the age of
	// the evidence.
	NewestDigest time.Time `json:"newest_digest,omitzero"`
}

// Failed reports whether anything is wrong.
func (s Summary) Failed() bool {
	return s.Changed+s.Missing+s.NotCovered+s.BadSignature+s.Gaps > 0
}

// digestLag is how long after the end of the range digests are still read:
// a log file written before Until may be delivered, and digested, later.
const digestLag = 2 * time.Hour

// Verify checks the digests and log files of src and calls emit, from one
// goroutine at a time, with each result as it is known. An error means the
// run could not finish (listing failed, keys could not be fetched, ctx was
// cancelled); what is wrong with the objects is in the results.
func Verify(ctx context.Context, src Source, opts Options, emit func(Result)) (Summary, error) {
	if opts.Keys == nil {
		return Summary{}, errors.New("verify: no public key provider")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = max(4, 2*runtime.GOMAXPROCS(0))
	}
	v := &verifier{src: src, opts: opts, emit: emit}
	groups, err := v.inventory(ctx)
	if err != nil {
		return v.sum, err
	}
	// One account and region at a time bounds what is held in memory to one
	// group's digests.
	for _, g := range groups {
		if err := v.verifyGroup(ctx, g); err != nil {
			return v.sum, err
		}
	}
	return v.sum, nil
}

type verifier struct {
	src  Source
	opts Options
	mu   sync.Mutex // guards sum and emit
	sum  Summary
	emit func(Result)
}

// group is the digests and log files of one account in one region.
type group struct {
	owner, region string
	digests, logs []listed
}

type listed struct {
	key string
	loc location
}

// inventory lists src and groups the digests and log files in range.
func (v *verifier) inventory(ctx context.Context) ([]*group, error) {
	since, until, digestsUntil := v.opts.Since, v.opts.Until, time.Time{}
	listUntil := v.opts.Now() // an open range ends now, by our clock
	if !until.IsZero() {
		digestsUntil = until.Add(digestLag)
		listUntil = digestsUntil
	}
	byID := map[[2]string]*group{}
	err := v.src.List(ctx, since, listUntil, func(key string) error {
		loc, ok := parseKey(key)
		if !ok || !since.IsZero() && loc.at.Before(since) {
			return nil
		}
		end := until
		if loc.digest {
			end = digestsUntil
		}
		if !end.IsZero() && loc.at.After(end) {
			return nil
		}
		id := [2]string{loc.owner, loc.region}
		g := byID[id]
		if g == nil {
			g = &group{owner: loc.owner, region: loc.region}
			byID[id] = g
		}
		if loc.digest {
			g.digests = append(g.digests, listed{key, loc})
		} else {
			g.logs = append(g.logs, listed{key, loc})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	groups := slices.Collect(maps.Values(byID))
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(a.owner, b.owner), cmp.Compare(a.region, b.region))
	})
	return groups, nil
}

func (v *verifier) verifyGroup(ctx context.Context, g *group) error {
	digests := make([]*digest, len(g.digests))
	eg, gctx := errgroup.WithContext(ctx)
	eg.SetLimit(v.opts.Concurrency)
	for i, l := range g.digests {
		eg.Go(func() (err error) {
			digests[i], err = loadDigest(gctx, v.src, v.opts.Keys, l.key, l.loc)
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	breaks := linkChains(digests, v.opts.Since)
	for _, d := range digests {
		v.report(Result{Key: d.key, Kind: KindDigest, Status: d.status, Detail: d.detail})
	}
	for _, r := range breaks {
		v.report(r)
	}
	v.checkAge(g, digests)

	checks := expectedLogs(digests)
	eg, gctx = errgroup.WithContext(ctx)
	eg.SetLimit(v.opts.Concurrency)
	for _, c := range checks {
		eg.Go(func() error {
			r := checkLog(gctx, v.src, c)
			if err := gctx.Err(); err != nil {
				return err
			}
			v.report(r)
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}

	start, end := window(digests, v.opts.Since, v.opts.Until)
	for _, l := range g.logs {
		if checks[canonical(l.key)] != nil || !start.IsZero() && l.loc.at.Before(start) || !end.IsZero() && l.loc.at.After(end) {
			continue
		}
		v.report(Result{Key: l.key, Kind: KindLog, Status: StatusNotCovered, Detail: "no valid digest lists it"})
	}
	return nil
}

// checkAge records the newest digest and, with MaxAge, reports a group whose
// digests stopped.
func (v *verifier) checkAge(g *group, digests []*digest) {
	d := newest(digests)
	if d == nil {
		return
	}
	v.mu.Lock()
	if d.end.After(v.sum.NewestDigest) {
		v.sum.NewestDigest = d.end
	}
	v.mu.Unlock()
	ref := v.opts.Until
	if ref.IsZero() {
		ref = v.opts.Now()
	}
	if age := ref.Sub(d.end); v.opts.MaxAge > 0 && age > v.opts.MaxAge {
		v.report(Result{Key: d.key, Kind: KindDigest, Status: StatusGap, Detail: fmt.Sprintf(
			"newest digest of %s%s ends %s, %s ago: more than the maximum age %s",
			g.owner, g.region, d.end.Format(time.RFC3339), age.Round(time.Minute), v.opts.MaxAge)})
	}
}

func (v *verifier) report(r Result) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := &v.sum
	switch {
	case r.Status == StatusGap:
	case r.Kind == KindLog:
		s.Logs++
	default:
		s.Digests++
	}
	switch r.Status {
	case StatusValid:
		s.Valid++
	case StatusChanged:
		s.Changed++
	case StatusMissing:
		s.Missing++
	case StatusNotCovered:
		s.NotCovered++
	case StatusBadSignature:
		s.BadSignature++
	case StatusGap:
		s.Gaps++
	}
	v.emit(r)
}

// logCheck is a log file to read and the hashes digests recorded for it.
type logCheck struct {
	key    string // as the digest names it
	digest string // the first digest listing it
	alg    string
	hashes []string
}

// expectedLogs gathers the log files trusted digests list, by canonical key:
// a file listed twice (a regular and a backfill digest) is read once and
// must match both.
func expectedLogs(digests []*digest) map[string]*logCheck {
	checks := map[string]*logCheck{}
	for _, d := range digests {
		if !d.trusted() {
			continue
		}
		for _, lf := range d.file.LogFiles {
			id := canonical(lf.S3Object)
			c := checks[id]
			if c == nil {
				c = &logCheck{key: lf.S3Object, digest: d.key, alg: lf.HashAlgorithm}
				checks[id] = c
			}
			c.hashes = append(c.hashes, lf.HashValue)
		}
	}
	return checks
}

// checkLog reads a log file once and compares its hash.
func checkLog(ctx context.Context, src Source, c *logCheck) Result {
	r := Result{Key: c.key, Kind: KindLog, Status: StatusValid}
	if c.alg != hashAlgorithm {
		r.Status, r.Detail = StatusChanged, fmt.Sprintf("%s records it with unsupported hash algorithm %q", c.digest, c.alg)
		return r
	}
	body, _, err := src.Open(ctx, c.key)
	if errors.Is(err, fs.ErrNotExist) {
		r.Status, r.Detail = StatusMissing, "listed in "+c.digest
		return r
	}
	if err != nil {
		r.Status, r.Detail = StatusMissing, fmt.Sprintf("listed in %s, unreadable: %v", c.digest, err)
		return r
	}
	sum, err := hashGzip(body)
	body.Close()
	if err != nil {
		r.Status, r.Detail = StatusChanged, fmt.Sprintf("not the gzip file %s lists: %v", c.digest, err)
		return r
	}
	for _, h := range c.hashes {
		if !strings.EqualFold(h, sum) {
			r.Status, r.Detail = StatusChanged, fmt.Sprintf("SHA-256 %s, %s recorded %s", sum, c.digest, h)
			break
		}
	}
	return r
}
