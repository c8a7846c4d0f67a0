package cloudtrail

import (
	"path"
	"strings"
	"time"
)

// Kind tells what a CloudTrail file holds. Only KindLog files are read as
// events; digests feed integrity verification; insights have their own schema.
type Kind uint8

const (
	KindOther   Kind = iota // not a CloudTrail file: skipped
	KindLog                 // events
	KindDigest              // CloudTrail-Digest: hashes and signatures of log files
	KindInsight             // CloudTrail-Insight: Insights events
)

func (k Kind) String() string {
	switch k {
	case KindLog:
		return "log"
	case KindDigest:
		return "digest"
	case KindInsight:
		return "insight"
	}
	return "other"
}

// Location is what a key (or a local path) says under the layout CloudTrail
// delivers to S3:
//
//	[PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_RANDOM.json.gz
//
// with CloudTrail-Digest and CloudTrail-Insight in place of CloudTrail for
// digest and insight files.
type Location struct {
	Kind    Kind
	InTree  bool   // the key follows the AWSLogs/ layout down to the day folder
	Prefix  string // the trail's key prefix, with its trailing '/', or ""
	OrgID   string // o-… for organization trails
	Account string
	Region  string
	Day     time.Time // the day folder (UTC midnight); zero when not InTree
}

// ParseLocation classifies a key or path. Below AWSLogs/ACCOUNT/ the folder
// decides the kind, and files out of the CloudTrail layout (Config, ELB… logs
// share such buckets) are KindOther. Elsewhere the file name decides: the
// _CloudTrail-Digest_ and _CloudTrail-Insight_ markers, then a .json,
// .json.gz or .json.cloudtrail extension for logs.
func ParseLocation(key string) Location {
	key = strings.ReplaceAll(key, "\\", "/")
	if loc, under := parseTree(key); under {
		return loc
	}
	return Location{Kind: kindByName(path.Base(key))}
}

// parseTree parses key against the layout and reports whether it lies below
// an AWSLogs/[o-ORGID/]ACCOUNT/ folder.
func parseTree(key string) (Location, bool) {
	var loc Location
	i := strings.Index(key, "AWSLogs/")
	for i > 0 && key[i-1] != '/' { // "xAWSLogs/" is not the folder
		j := strings.Index(key[i+1:], "AWSLogs/")
		if j < 0 {
			return loc, false
		}
		i += 1 + j
	}
	if i < 0 {
		return loc, false
	}
	loc.Prefix = key[:i]
	segs := strings.Split(key[i+len("AWSLogs/"):], "/")
	if len(segs) > 0 && strings.HasPrefix(segs[0], "o-") {
		loc.OrgID, segs = segs[0], segs[1:]
	}
	// ACCOUNT / KIND / REGION / YYYY / MM / DD / FILE
	if len(segs) < 2 || !isAccountID(segs[0]) {
		return loc, false
	}
	if len(segs) != 7 {
		return Location{}, true
	}
	day, err := time.Parse("2006/01/02", segs[3]+"/"+segs[4]+"/"+segs[5])
	if err != nil {
		return Location{}, true
	}
	switch segs[1] {
	case "CloudTrail":
		if kindByName(segs[6]) == KindLog { // not a folder placeholder
			loc.Kind = KindLog
		}
	case "CloudTrail-Digest":
		loc.Kind = KindDigest
	case "CloudTrail-Insight":
		loc.Kind = KindInsight
	default:
		return Location{}, true
	}
	loc.Account, loc.Region = segs[0], segs[2]
	loc.Day, loc.InTree = day, true
	return loc, true
}

func kindByName(name string) Kind {
	switch {
	case strings.Contains(name, "_CloudTrail-Digest_"):
		return KindDigest
	case strings.Contains(name, "_CloudTrail-Insight_"):
		return KindInsight
	case strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".json.gz"), strings.HasSuffix(name, ".json.cloudtrail"):
		return KindLog
	}
	return KindOther
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// KindDir is the folder under ACCOUNT/ holding files of kind k.
func KindDir(k Kind) string {
	switch k {
	case KindDigest:
		return "CloudTrail-Digest"
	case KindInsight:
		return "CloudTrail-Insight"
	}
	return "CloudTrail"
}

// RegionDir returns the folder of one account's files of kind k in one region:
// PREFIX/AWSLogs/[o-ORGID/]ACCOUNT/KIND/REGION/. prefix is the trail's key
// prefix ("" or ending in '/').
func RegionDir(prefix, orgID, account string, k Kind, region string) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString("AWSLogs/")
	if orgID != "" {
		b.WriteString(orgID + "/")
	}
	b.WriteString(account + "/" + KindDir(k) + "/" + region + "/")
	return b.String()
}

// DatePrefixes returns the fewest folder prefixes, relative to a region
// folder ("2024/", "2024/03/", "2024/03/07/"), whose days cover every UTC day
// from since's to until's, inclusive: whole years and months are listed as
// one prefix, partial ones day by day. It returns nil when until is before
// since.
func DatePrefixes(since, until time.Time) []string {
	day := func(t time.Time) time.Time {
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	var out []string
	last := day(until)
	for d := day(since); !d.After(last); {
		switch yearEnd, monthEnd := d.AddDate(1, 0, -1), d.AddDate(0, 1, -1); {
		case d.YearDay() == 1 && !yearEnd.After(last):
			out = append(out, d.Format("2006/"))
			d = d.AddDate(1, 0, 0)
		case d.Day() == 1 && !monthEnd.After(last):
			out = append(out, d.Format("2006/01/"))
			d = d.AddDate(0, 1, 0)
		default:
			out = append(out, d.Format("2006/01/02/"))
			d = d.AddDate(0, 0, 1)
		}
	}
	return out
}
