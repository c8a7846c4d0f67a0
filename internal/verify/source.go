package verify

import (
	"context"
	"io"
	"path"
	"strings"
	"time"
)

// Source lists and reads the objects of a CloudTrail bucket or of a local
// copy of one.
type Source interface {
	// List calls fn, from one goroutine at a time, for the objects that may
	// matter between since and until (zero: open). It may list more.
	List(ctx context.Context, since, until time.Time, fn func(key string) error) error
	// Open returns the content of key and, for digests, its S3 user
	// metadata. A key that does not exist is an error matching
	// fs.ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadCloser, map[string]string, error)
	// Bucket names the bucket the keys live in, or "" when unknown (a local
	// copy): then a digest's location is checked on its key alone.
	Bucket() string
}

// Where a key sits in the CloudTrail layout.
type location struct {
	owner    string    // AWSLogs/[o-ORG/]ACCOUNT/
	region   string    // the region folder
	at       time.Time // the timestamp in the file name
	digest   bool
	trail    string // digests: the trail name and its home region
	home     string
	backfill bool
}

// canonical returns key from its AWSLogs/ folder on. Local copies may be
// synced from below the trail's key prefix, so keys are matched on this
// part; file names carry the account, region and a unique suffix, so two
// trails cannot share one.
func canonical(key string) string {
	for i := 0; ; {
		j := strings.Index(key[i:], "AWSLogs/")
		if j < 0 {
			return key
		}
		if i+j == 0 || key[i+j-1] == '/' {
			return key[i+j:]
		}
		i += j + 1
	}
}

// parseKey reads a log or digest key:
//
//	AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
//	AWSLogs/[o-ORG/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOME_YYYYMMDDTHHmmssZ[_backfill].json.gz
//
// Anything else (insights, other services' logs, sidecars) is not ours.
func parseKey(key string) (location, bool) {
	c := canonical(key)
	segs := strings.Split(c, "/")
	if segs[0] != "AWSLogs" {
		return location{}, false
	}
	segs = segs[1:]
	owner := "AWSLogs/"
	if len(segs) > 0 && strings.HasPrefix(segs[0], "o-") {
		owner += segs[0] + "/"
		segs = segs[1:]
	}
	// ACCOUNT KIND REGION YYYY MM DD FILE
	if len(segs) != 7 || !isAccount(segs[0]) {
		return location{}, false
	}
	account, kind, region, name := segs[0], segs[1], segs[2], segs[6]
	loc := location{owner: owner + account + "/", region: region}
	name, ok := strings.CutSuffix(name, ".json.gz")
	if !ok {
		return location{}, false
	}
	var err error
	switch kind {
	case "CloudTrail":
		rest, ok := strings.CutPrefix(name, account+"_CloudTrail_"+region+"_")
		if !ok || len(rest) < len("20060102T1504Z") {
			return location{}, false
		}
		loc.at, err = time.Parse("20060102T1504Z", rest[:len("20060102T1504Z")])
	case "CloudTrail-Digest":
		loc.digest = true
		name, loc.backfill = strings.CutSuffix(name, "_backfill")
		rest, ok := strings.CutPrefix(name, account+"_CloudTrail-Digest_"+region+"_")
		stamp := strings.LastIndexByte(rest, '_')
		home := strings.LastIndexByte(rest[:max(stamp, 0)], '_')
		if !ok || home <= 0 {
			return location{}, false
		}
		loc.trail, loc.home = rest[:home], rest[home+1:stamp]
		loc.at, err = time.Parse("20060102T150405Z", rest[stamp+1:])
	default:
		return location{}, false
	}
	return loc, err == nil
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isDigestKey tells digests from logs by name, for sources that keep
// metadata only for digests.
func isDigestKey(key string) bool {
	return strings.Contains(path.Base(key), "_CloudTrail-Digest_")
}
