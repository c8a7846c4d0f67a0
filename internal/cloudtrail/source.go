package cloudtrail

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"
)

// Object is one file of a Source.
type Object struct {
	Name string // local path or s3://bucket/key; names the file in errors
	Size int64
	Loc  Location
	key  string // the S3 key, for S3 objects
}

// Source lists and opens CloudTrail files.
type Source interface {
	// Walk calls fn for every object, one call at a time. A part of the
	// source that cannot be listed (a directory, an S3 prefix) is passed to
	// fn as an error with an Object naming it; fn decides whether to go on.
	// Walk stops when fn returns an error and returns it.
	Walk(ctx context.Context, fn func(Object, error) error) error
	// Open returns the content of an object listed by Walk, as stored
	// (gzip or not).
	Open(ctx context.Context, obj Object) (io.ReadCloser, error)
}

// Options narrow what a Source lists.
type Options struct {
	// Since and Until bound the events wanted, [Since, Until). Files in the
	// AWSLogs/ layout whose day folder cannot hold such events are not listed
	// (in S3, not even their prefixes). Zero means unbounded.
	Since, Until time.Time
	// Slack widens the day folders listed around [Since, Until): CloudTrail
	// files land in the folder of their delivery time, minutes (rarely hours)
	// after their events. Default one hour.
	Slack time.Duration
	// Accounts and Regions, when not empty, keep only those folders of the
	// layout.
	Accounts, Regions []string
	// Digests and Insights also list digest and insight files when the time
	// range is used to walk the layout (listing a plain prefix always sees
	// them).
	Digests, Insights bool
	// S3 is the client for s3:// sources.
	S3 S3API
	// Concurrency bounds parallel S3 list calls; default 8.
	Concurrency int
}

// Open returns the Source for src: a local file or directory, or
// s3://bucket/prefix.
func Open(ctx context.Context, src string, opts Options) (Source, error) {
	if opts.Slack == 0 {
		opts.Slack = time.Hour
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if rest, ok := strings.CutPrefix(src, "s3://"); ok {
		if opts.S3 == nil {
			return nil, errors.New("cloudtrail: " + src + ": no S3 client")
		}
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return nil, errors.New("cloudtrail: " + src + ": no bucket")
		}
		return &s3Source{client: opts.S3, bucket: bucket, prefix: prefix, opts: opts}, nil
	}
	return openLocal(src, opts)
}

// wanted reports whether a file at loc may hold events in the options' range
// and passes the account and region filters.
func (o *Options) wanted(loc Location) bool {
	if !loc.InTree {
		return true
	}
	if len(o.Accounts) > 0 && !slices.Contains(o.Accounts, loc.Account) {
		return false
	}
	if len(o.Regions) > 0 && !slices.Contains(o.Regions, loc.Region) {
		return false
	}
	since, until := o.dayRange()
	return !loc.Day.Before(since) && !loc.Day.After(until)
}

// dayRange returns the first and last day folders that may hold events of
// [Since, Until), zero and far future when unbounded.
func (o *Options) dayRange() (first, last time.Time) {
	day := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	last = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if !o.Since.IsZero() {
		first = day(o.Since.UTC().Add(-o.Slack))
	}
	if !o.Until.IsZero() {
		last = day(o.Until.UTC().Add(o.Slack))
	}
	return first, last
}
