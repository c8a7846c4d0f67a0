package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// S3API is the part of *s3.Client the S3 source calls. GetObject returns
// the user metadata with the body, so digests need no HeadObject.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3 reads the CloudTrail files under s3://bucket/prefix.
type S3 struct {
	client         S3API
	bucket, prefix string
}

// NewS3 returns the source for s3://bucket/prefix.
func NewS3(client S3API, bucket, prefix string) *S3 {
	return &S3{client: client, bucket: bucket, prefix: prefix}
}

func (s *S3) Bucket() string { return s.bucket }

func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, map[string]string, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if _, gone := errors.AsType[*types.NoSuchKey](err); gone {
		return nil, nil, fmt.Errorf("s3://%s/%s: %w", s.bucket, key, fs.ErrNotExist)
	}
	if err != nil {
		return nil, nil, err
	}
	meta := make(map[string]string, len(out.Metadata))
	for k, v := range out.Metadata {
		meta[strings.ToLower(k)] = v
	}
	return out.Body, meta, nil
}

// listConcurrency bounds the list calls in flight.
const listConcurrency = 8

// List lists the prefix flat, or, with a start time and a prefix that ends
// at the AWSLogs/, organization or account folder, walks the layout down to
// the region folders and lists only the date folders of the range: a day of
// a busy trail is read without listing its year.
func (s *S3) List(ctx context.Context, since, until time.Time, fn func(string) error) error {
	var mu sync.Mutex
	serial := func(key string) error {
		mu.Lock()
		defer mu.Unlock()
		return fn(key)
	}
	regions, walkable, err := s.regionDirs(ctx, since)
	if err != nil || !walkable {
		if err == nil {
			err = s.list(ctx, s.prefix, serial)
		}
		return err
	}
	if until.IsZero() {
		until = time.Now()
	}
	// Digests are filed under the day they end, log files under the day
	// they were written: both days from since's.
	days := datePrefixes(since, until)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(listConcurrency)
	for _, r := range regions {
		for _, d := range days {
			g.Go(func() error { return s.list(gctx, r+d, serial) })
		}
	}
	return g.Wait()
}

func (s *S3) list(ctx context.Context, prefix string, fn func(string) error) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing s3://%s/%s: %w", s.bucket, prefix, err)
		}
		for _, o := range page.Contents {
			if err := fn(aws.ToString(o.Key)); err != nil {
				return err
			}
		}
	}
	return nil
}

// regionDirs returns the CloudTrail and CloudTrail-Digest region folders
// under the prefix, and false when the prefix does not allow the walk.
func (s *S3) regionDirs(ctx context.Context, since time.Time) ([]string, bool, error) {
	start := s.prefix
	if since.IsZero() || start != "" && !strings.HasSuffix(start, "/") {
		return nil, false, nil
	}
	if !strings.Contains("/"+start, "/AWSLogs/") {
		start += "AWSLogs/"
	}
	var accounts []string
	switch last := lastSegment(start); {
	case isAccount(last):
		accounts = []string{start}
	case last == "AWSLogs" || strings.HasPrefix(last, "o-"):
		var err error
		if accounts, err = s.accounts(ctx, start); err != nil {
			return nil, false, err
		}
	default:
		return nil, false, nil
	}
	var (
		mu      sync.Mutex
		regions []string
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(listConcurrency)
	for _, a := range accounts {
		for _, kind := range []string{"CloudTrail/", "CloudTrail-Digest/"} {
			g.Go(func() error {
				dirs, err := s.children(gctx, a+kind)
				mu.Lock()
				regions = append(regions, dirs...)
				mu.Unlock()
				return err
			})
		}
	}
	return regions, true, g.Wait()
}

// accounts returns the account folders under an AWSLogs/ or organization
// folder.
func (s *S3) accounts(ctx context.Context, dir string) ([]string, error) {
	children, err := s.children(ctx, dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range children {
		switch name := lastSegment(c); {
		case isAccount(name):
			out = append(out, c)
		case strings.HasPrefix(name, "o-"):
			under, err := s.accounts(ctx, c)
			if err != nil {
				return nil, err
			}
			out = append(out, under...)
		}
	}
	return out, nil
}

// children lists the folders directly under dir.
func (s *S3) children(ctx context.Context, dir string) ([]string, error) {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket), Prefix: aws.String(dir), Delimiter: aws.String("/"),
	})
	var out []string
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", s.bucket, dir, err)
		}
		for _, p := range page.CommonPrefixes {
			out = append(out, aws.ToString(p.Prefix))
		}
	}
	return out, nil
}

func lastSegment(dir string) string {
	dir = strings.TrimSuffix(dir, "/")
	return dir[strings.LastIndexByte(dir, '/')+1:]
}

// datePrefixes returns the date folders ("2024/03/", "2024/03/07/") that
// cover the UTC days from since to until: whole months as one prefix.
func datePrefixes(since, until time.Time) []string {
	day := func(t time.Time) time.Time {
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	var out []string
	for d, last := day(since), day(until); !d.After(last); {
		if next := d.AddDate(0, 1, 0); d.Day() == 1 && !next.AddDate(0, 0, -1).After(last) {
			out = append(out, d.Format("2006/01/"))
			d = next
			continue
		}
		out = append(out, d.Format("2006/01/02/"))
		d = d.AddDate(0, 0, 1)
	}
	return out
}
