package cloudtrail

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// S3API is the part of *s3.Client the S3 source calls.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// s3Source lists s3://bucket/prefix. Without a time range it lists the prefix
// flat. With one, it walks the AWSLogs/ layout a level at a time (Delimiter
// '/') down to the region folders and then lists only the date folders of the
// range, so reading a day of a busy trail does not list its month.
type s3Source struct {
	client S3API
	bucket string
	prefix string
	opts   Options
	now    func() time.Time // an open range ends now
}

func (s *s3Source) Open(ctx context.Context, obj Object) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(obj.key)})
	if err != nil {
		return nil, err
	}
	return out.Body, nil
}

func (s *s3Source) Walk(ctx context.Context, fn func(Object, error) error) error {
	var mu sync.Mutex
	serial := func(o Object, err error) error {
		mu.Lock()
		defer mu.Unlock()
		return fn(o, err)
	}
	if s.opts.Since.IsZero() && s.opts.Until.IsZero() {
		return s.list(ctx, s.prefix, serial, false)
	}
	prefixes, err := s.rangePrefixes(ctx, serial)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Concurrency)
	for _, p := range prefixes {
		g.Go(func() error { return s.list(gctx, p, serial, true) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// list calls fn for every wanted object under prefix. A listing failure is
// returned, or passed to fn when report is set.
func (s *s3Source) list(ctx context.Context, prefix string, fn func(Object, error) error, report bool) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket), Prefix: aws.String(prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if report && ctx.Err() == nil {
				return fn(Object{Name: s.url(prefix)}, err)
			}
			return fmt.Errorf("cloudtrail: listing %s: %w", s.url(prefix), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			loc := ParseLocation(key)
			if loc.Kind == KindOther || !s.opts.wanted(loc) {
				continue
			}
			if err := fn(Object{Name: s.url(key), Size: aws.ToInt64(o.Size), Loc: loc, key: key}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// dir is a folder found while walking the layout, with the index of the
// next segment of the user's prefix to honour below it.
type dir struct {
	path string
	seg  int
}

// rangePrefixes returns the date-folder prefixes to list. Folders that cannot
// be listed below the root are reported to fn and left out.
func (s *s3Source) rangePrefixes(ctx context.Context, fn func(Object, error) error) ([]string, error) {
	base, rest := splitAWSLogs(s.prefix)
	segs := strings.Split(rest, "/") // the last one is partial ("" when rest ends in '/')
	root := dir{path: base + "AWSLogs/"}

	owners, err := s.expand(ctx, root, segs, nil)
	if err != nil {
		return nil, err // the root itself: nothing can be read
	}
	var accounts []dir
	for _, o := range owners {
		if !strings.HasPrefix(lastSeg(o.path), "o-") {
			accounts = append(accounts, o)
			continue
		}
		under, err := s.expand(ctx, o, segs, nil)
		if err != nil {
			if err := fn(Object{Name: s.url(o.path)}, err); err != nil {
				return nil, err
			}
			continue
		}
		accounts = append(accounts, under...)
	}
	accounts = slices.DeleteFunc(accounts, func(a dir) bool {
		name := lastSeg(a.path)
		return !isAccountID(name) || len(s.opts.Accounts) > 0 && !slices.Contains(s.opts.Accounts, name)
	})

	kinds := []Kind{KindLog}
	if s.opts.Digests {
		kinds = append(kinds, KindDigest)
	}
	if s.opts.Insights {
		kinds = append(kinds, KindInsight)
	}
	var kindDirs []dir
	for _, a := range accounts {
		for _, k := range kinds {
			name := KindDir(k)
			if !segMatches(segs, a.seg, name) {
				continue
			}
			kindDirs = append(kindDirs, dir{path: a.path + name + "/", seg: a.seg + 1})
		}
	}

	// One list call per account and kind: run them in parallel.
	regionsOf := make([][]dir, len(kindDirs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Concurrency)
	for i, kd := range kindDirs {
		g.Go(func() error {
			regions, err := s.expand(gctx, kd, segs, s.opts.Regions)
			if err != nil && gctx.Err() == nil {
				return fn(Object{Name: s.url(kd.path)}, err)
			}
			regionsOf[i] = regions
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	dates := s.datePrefixes()
	var out []string
	for _, regions := range regionsOf {
		for _, r := range regions {
			fixed := ""
			if r.seg < len(segs) {
				fixed = strings.Join(segs[r.seg:], "/")
			}
			for _, d := range intersectPrefix(dates, fixed) {
				out = append(out, r.path+d)
			}
		}
	}
	return out, nil
}

// datePrefixes covers the options' day range; an open start lists everything.
func (s *s3Source) datePrefixes() []string {
	if s.opts.Since.IsZero() {
		return []string{""}
	}
	first, last := s.opts.dayRange()
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	if today := now().UTC(); s.opts.Until.IsZero() || last.After(today) {
		last = today
	}
	return DatePrefixes(first, last)
}

// intersectPrefix keeps the prefixes compatible with a fixed path from the
// user's prefix: the narrower of the two wins.
func intersectPrefix(prefixes []string, fixed string) []string {
	if fixed == "" {
		return prefixes
	}
	var out []string
	for _, p := range prefixes {
		switch {
		case strings.HasPrefix(p, fixed):
			out = append(out, p)
		case strings.HasPrefix(fixed, p):
			return []string{fixed}
		}
	}
	return out
}

// expand returns the child folders of d matching segment d.seg of the user's
// prefix: a complete segment is taken as is, a partial one (or none) is
// listed with Delimiter '/'. keep, when not empty, filters the names.
func (s *s3Source) expand(ctx context.Context, d dir, segs []string, keep []string) ([]dir, error) {
	var names []string
	if d.seg < len(segs)-1 {
		names = []string{segs[d.seg]}
	} else {
		partial := ""
		if d.seg == len(segs)-1 {
			partial = segs[d.seg]
		}
		pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
			Bucket: aws.String(s.bucket), Prefix: aws.String(d.path + partial), Delimiter: aws.String("/"),
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("cloudtrail: listing %s: %w", s.url(d.path+partial), err)
			}
			for _, cp := range page.CommonPrefixes {
				names = append(names, strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), d.path), "/"))
			}
		}
	}
	var out []dir
	for _, n := range names {
		if len(keep) == 0 || slices.Contains(keep, n) {
			out = append(out, dir{path: d.path + n + "/", seg: d.seg + 1})
		}
	}
	return out, nil
}

// segMatches reports whether name fits segment i of the user's prefix.
func segMatches(segs []string, i int, name string) bool {
	switch {
	case i < len(segs)-1:
		return segs[i] == name
	case i == len(segs)-1:
		return strings.HasPrefix(name, segs[i])
	}
	return true
}

// splitAWSLogs splits a prefix around its AWSLogs/ folder. Without one, the
// whole prefix is the trail's key prefix, taken as a folder.
func splitAWSLogs(prefix string) (base, rest string) {
	for i := 0; ; {
		j := strings.Index(prefix[i:], "AWSLogs")
		if j < 0 {
			break
		}
		i += j
		end := i + len("AWSLogs")
		if (i == 0 || prefix[i-1] == '/') && (end == len(prefix) || prefix[end] == '/') {
			return prefix[:i], strings.TrimPrefix(prefix[end:], "/")
		}
		i = end
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return prefix, ""
}

func lastSeg(path string) string {
	path = strings.TrimSuffix(path, "/")
	return path[strings.LastIndexByte(path, '/')+1:]
}

func (s *s3Source) url(key string) string { return "s3://" + s.bucket + "/" + key }
