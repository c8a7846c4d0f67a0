package verify

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"
)

// chainID is one trail's digests of one region. Backfill digests chain among
// themselves.
type chainID struct {
	owner, region, trail, home string
	backfill                   bool
}

// linkChains checks every trusted digest against the predecessor it names.
// A predecessor that does not match what was recorded becomes changed; one
// that is absent although it falls in the range (since, zero: open) is
// reported missing; a chain that starts after an older digest of the same
// trail is reported as a gap. Backfill digests come when CloudTrail catches
// up and may start anywhere, so their chain starts are no gaps.
func linkChains(digests []*digest, since time.Time) []Result {
	byKey := make(map[string]*digest, len(digests))
	chains := map[chainID][]*digest{}
	for _, d := range digests {
		byKey[canonical(d.key)] = d
		id := chainID{d.loc.owner, d.loc.region, d.loc.trail, d.loc.home, d.loc.backfill}
		chains[id] = append(chains[id], d)
	}
	var out []Result
	for _, id := range slices.SortedFunc(maps.Keys(chains), compareChains) {
		chain := chains[id]
		slices.SortFunc(chain, func(a, b *digest) int { return a.loc.at.Compare(b.loc.at) })
		for i, d := range chain {
			if !d.trusted() {
				continue // what it says of its predecessor is not to be believed
			}
			f := &d.file
			if f.PreviousDigestS3Object == nil || *f.PreviousDigestS3Object == "" {
				if i > 0 && !id.backfill {
					out = append(out, Result{Key: d.key, Kind: KindDigest, Status: StatusGap, Detail: fmt.Sprintf(
						"no digest from %s to %s: the chain restarts here (logging or log file validation was off)",
						chain[i-1].loc.at.Format(time.RFC3339), f.DigestStartTime)})
				}
				continue
			}
			if f.PreviousDigestS3Bucket != nil && *f.PreviousDigestS3Bucket != f.DigestS3Bucket {
				continue // the trail moved buckets: the chain goes on in one we do not read
			}
			prevKey := *f.PreviousDigestS3Object
			prev := byKey[canonical(prevKey)]
			if prev == nil {
				if loc, ok := parseKey(prevKey); !ok || since.IsZero() || !loc.at.Before(since) {
					out = append(out, Result{Key: prevKey, Kind: KindDigest, Status: StatusMissing,
						Detail: "named as previous digest by " + d.key})
				}
				continue
			}
			if !prev.trusted() {
				continue // already reported
			}
			if ok, detail := checkPrevious(d, prev); !ok {
				prev.status, prev.detail = StatusChanged, detail
			}
		}
	}
	return out
}

func compareChains(a, b chainID) int {
	return cmp.Or(cmp.Compare(a.owner, b.owner), cmp.Compare(a.region, b.region),
		cmp.Compare(a.trail, b.trail), cmp.Compare(a.home, b.home), cmpBool(a.backfill, b.backfill))
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// window is the time range, by log file name, in which every log file must
// be in a trusted digest: the range the trusted digests cover, narrowed to
// since and until, or since to until when no digest can be trusted. The
// last grace before the newest digest's end is left out: files written
// then may be delivered after it and listed in the next digest.
func window(digests []*digest, since, until time.Time) (start, end time.Time) {
	const grace = 15 * time.Minute
	start, end = since, until
	var first, last time.Time
	for _, d := range digests {
		if !d.trusted() {
			continue
		}
		if first.IsZero() || d.start.Before(first) {
			first = d.start
		}
		if d.end.After(last) {
			last = d.end
		}
	}
	if last.IsZero() {
		return start, end
	}
	if start.IsZero() {
		start = first
	}
	if covered := last.Add(-grace); end.IsZero() || covered.Before(end) {
		end = covered
	}
	return start, end
}

// newest returns the newest trusted regular digest, or nil.
func newest(digests []*digest) (d *digest) {
	for _, c := range digests {
		if c.trusted() && !c.loc.backfill && (d == nil || c.end.After(d.end)) {
			d = c
		}
	}
	return d
}
