package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/corpus"
	"github.com/secure-baseline/baseline/internal/fixture"
)

// day is a day of CloudTrail delivered to the organization trail's bucket.
type day struct {
	bucket, queue, queueAccount, queueRegion string
	events, files                            int
}

// publishDay generates a day of the organization's CloudTrail with a few
// attacks in it, puts it in the bucket of the trail apply created, and
// announces each object on the queue apply subscribed to the bucket.
func publishDay(ctx context.Context, org *fixture.Insecure, dir string) (*day, error) {
	mgmt := awsx.InRegion(org.Config(org.Management), Regions[0])
	trails, err := cloudtrail.NewFromConfig(mgmt).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil {
		return nil, err
	}
	d := &day{}
	for _, tr := range trails.TrailList {
		if aws.ToBool(tr.IsOrganizationTrail) {
			d.bucket = aws.ToString(tr.S3BucketName)
		}
	}
	if d.bucket == "" {
		return nil, errors.New("apply made no organization trail")
	}
	archive := awsx.InRegion(org.Config(org.AccountID("log-archive")), Regions[0])
	s3c := s3.NewFromConfig(archive, awsx.S3Addressing)
	notif, err := s3c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(d.bucket)})
	if err != nil {
		return nil, err
	}
	if len(notif.QueueConfigurations) == 0 {
		return nil, fmt.Errorf("the trail bucket %s notifies no queue", d.bucket)
	}
	queueARN := aws.ToString(notif.QueueConfigurations[0].QueueArn)
	queueAccount, queueName := arnPart(queueARN, 4), arnPart(queueARN, 5)
	sqsc := sqs.NewFromConfig(awsx.InRegion(org.Config(queueAccount), arnPart(queueARN, 3)))
	q, err := sqsc.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(queueName)})
	if err != nil {
		return nil, err
	}
	d.queue, d.queueAccount, d.queueRegion = aws.ToString(q.QueueUrl), queueAccount, arnPart(queueARN, 3)
	// moto ignores the conditions of bucket policies: the trail bucket's
	// deny of requests without TLS refuses every object request there. The
	// day goes to a bucket beside it, in the same layout.
	d.bucket += "-demo"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(d.bucket)}); err != nil {
		return nil, err
	}

	start := time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	m, err := corpus.Generate(dir, corpus.Options{Events: 20_000, Seed: 7, OrgID: org.ID, Regions: Regions, PerFile: 500, Interval: 60,
		AccountIDs: []string{org.Management, org.AccountID("security"), org.AccountID("log-archive"), org.AccountID("workload")},
		Start:      start.Format(time.RFC3339)})
	if err != nil {
		return nil, err
	}
	d.events = m.Events
	err = filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".json.gz") {
			return err
		}
		key := filepath.ToSlash(strings.TrimPrefix(path, dir+string(filepath.Separator)))
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(d.bucket), Key: aws.String(key), Body: f}); err != nil {
			return err
		}
		d.files++
		// S3 sends this notification itself; moto only notifies queues of
		// the bucket's own account, and the queue is in the security account.
		return announce(ctx, sqsc, d.queue, d.bucket, key)
	})
	return d, err
}

func announce(ctx context.Context, api *sqs.Client, queue, bucket, key string) error {
	body, err := json.Marshal(map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": Regions[0], "eventName": "ObjectCreated:Put",
		"eventTime": time.Now().UTC().Format(time.RFC3339),
		"s3":        map[string]any{"bucket": map[string]any{"name": bucket}, "object": map[string]any{"key": key}},
	}}})
	if err != nil {
		return err
	}
	_, err = api.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(string(body))})
	return err
}

// arnPart returns the i-th colon-separated field of an ARN.
func arnPart(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// asAccount points the process's credentials at account (through its
// OrganizationAccountAccessRole) until restore is called, as a person would
// run `trail watch` with the security account's profile.
func asAccount(ctx context.Context, org *fixture.Insecure, account string) (restore func(), err error) {
	creds, err := org.Config(account).Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{"AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_SESSION_TOKEN": creds.SessionToken}
	saved := map[string]*string{}
	for k, v := range vars {
		if old, ok := os.LookupEnv(k); ok {
			saved[k] = &old
		} else {
			saved[k] = nil
		}
		os.Setenv(k, v)
	}
	return func() {
		for k, v := range saved {
			if v == nil {
				os.Unsetenv(k)
			} else {
				os.Setenv(k, *v)
			}
		}
	}, nil
}
