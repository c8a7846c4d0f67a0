package collect

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "s3", Run: func(ctx context.Context, t *Task) {
		var clients sync.Map // region → s3API
		inRegion := func(region string) s3API {
			if c, ok := clients.Load(region); ok {
				return c.(s3API)
			}
			c, _ := clients.LoadOrStore(region, newS3(t.RegionOf(region)))
			return c.(s3API)
		}
		collectS3(ctx, t, S3Control(t.Config), newS3(t.Config), inRegion)
	}})
}

// s3ControlAPI reads the account-level Block Public Access settings.
type s3ControlAPI interface {
	GetPublicAccessBlock(context.Context, *s3control.GetPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error)
}

// s3API is the read-only part of S3 the bucket checks need.
type s3API interface {
	ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	GetBucketPolicyStatus(context.Context, *s3.GetBucketPolicyStatusInput, ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error)
	GetBucketAcl(context.Context, *s3.GetBucketAclInput, ...func(*s3.Options)) (*s3.GetBucketAclOutput, error)
	GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	GetBucketVersioning(context.Context, *s3.GetBucketVersioningInput, ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	GetBucketEncryption(context.Context, *s3.GetBucketEncryptionInput, ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	GetBucketLogging(context.Context, *s3.GetBucketLoggingInput, ...func(*s3.Options)) (*s3.GetBucketLoggingOutput, error)
	GetBucketReplication(context.Context, *s3.GetBucketReplicationInput, ...func(*s3.Options)) (*s3.GetBucketReplicationOutput, error)
	ListBucketInventoryConfigurations(context.Context, *s3.ListBucketInventoryConfigurationsInput, ...func(*s3.Options)) (*s3.ListBucketInventoryConfigurationsOutput, error)
	GetBucketLifecycleConfiguration(context.Context, *s3.GetBucketLifecycleConfigurationInput, ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error)
	GetObjectLockConfiguration(context.Context, *s3.GetObjectLockConfigurationInput, ...func(*s3.Options)) (*s3.GetObjectLockConfigurationOutput, error)
	GetBucketTagging(context.Context, *s3.GetBucketTaggingInput, ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	GetBucketNotificationConfiguration(context.Context, *s3.GetBucketNotificationConfigurationInput, ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error)
}

// newS3 uses path-style addressing off AWS: an emulator or proxy has no
// wildcard DNS for bucket host names.
func newS3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if offAWS(o.BaseEndpoint) {
			o.UsePathStyle = true
		}
	})
}

// S3Control returns an S3 Control client that also works off AWS.
func S3Control(cfg aws.Config) *s3control.Client { return awsx.S3Control(cfg) }

// offAWS reports whether a configured endpoint is not one of AWS's own.
func offAWS(endpoint *string) bool { return awsx.OffAWS(endpoint) }

// listBucketsPage is the largest page ListBuckets serves. Asking for it also
// makes S3 return each bucket's region, which saves a GetBucketLocation each.
const listBucketsPage = 10000

// collectS3 reads the account's Block Public Access settings and every
// bucket's configuration, each bucket in its own region.
func collectS3(ctx context.Context, t *Task, ctl s3ControlAPI, home s3API, inRegion func(string) s3API) {
	s := &snapshot.S3{}
	var buckets []snapshot.Bucket
	listed := false
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 0 {
			out, err := ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(t.Account.AccountID)})
			switch {
			case awsx.IsNotFound(err):
			case t.Failed("s3control:GetPublicAccessBlock", err):
			case out.PublicAccessBlockConfiguration != nil:
				c := out.PublicAccessBlockConfiguration
				s.AccountPublicAccessBlock = pab(c.BlockPublicAcls, c.IgnorePublicAcls, c.BlockPublicPolicy, c.RestrictPublicBuckets)
			}
			return
		}
		p := s3.NewListBucketsPaginator(home, &s3.ListBucketsInput{MaxBuckets: aws.Int32(listBucketsPage)})
		err := pages(ctx, p, func(page *s3.ListBucketsOutput) {
			for _, b := range page.Buckets {
				buckets = append(buckets, snapshot.Bucket{Name: aws.ToString(b.Name), Region: aws.ToString(b.BucketRegion)})
			}
		})
		listed = !t.Failed("ListBuckets", err)
	})
	if listed {
		t.Fan(ctx, len(buckets), func(ctx context.Context, i int) { readBucket(ctx, t, home, inRegion, &buckets[i]) })
		s.Buckets = buckets
	}
	t.Account.Global.S3 = s
}

// readBucket fills one bucket's configuration. A bucket whose region is
// unknown is kept with nothing else: the checks then report the failed
// GetBucketLocation for it.
func readBucket(ctx context.Context, t *Task, home s3API, inRegion func(string) s3API, b *snapshot.Bucket) {
	name := aws.String(b.Name)
	if b.Region == "" {
		out, err := home.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: name})
		if t.FailedOn("GetBucketLocation", b.Name, err) {
			return
		}
		b.Region = bucketRegion(out.LocationConstraint)
	}
	api := inRegion(b.Region)
	t.Fan(ctx, len(bucketReads), func(ctx context.Context, i int) {
		if op, err := bucketReads[i](ctx, api, name, b); !awsx.IsNotFound(err) {
			t.FailedOn(op, b.Name, err)
		}
	})
}

// bucketRegion maps GetBucketLocation's legacy answers to region names.
func bucketRegion(c s3types.BucketLocationConstraint) string {
	switch c {
	case "":
		return "us-east-1"
	case s3types.BucketLocationConstraintEu:
		return "eu-west-1"
	}
	return string(c)
}

// bucketReads each read one part of a bucket's configuration and return the
// operation that failed, if any. A NotFound answer means "not configured".
var bucketReads = []func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error){
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: name})
		if err != nil {
			return "GetBucketPolicy", err
		}
		b.Policy = aws.ToString(out.Policy)
		// AWS's own verdict on the policy; only meaningful when there is one.
		st, err := api.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: name})
		if err == nil && st.PolicyStatus != nil {
			b.PolicyPublic = st.PolicyStatus.IsPublic
		}
		return "GetBucketPolicyStatus", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: name})
		if err == nil {
			for _, g := range out.Grants {
				if g.Grantee == nil {
					continue
				}
				b.Grants = append(b.Grants, snapshot.Grant{Grantee: firstSet(g.Grantee.URI, g.Grantee.ID, g.Grantee.EmailAddress),
					Type: string(g.Grantee.Type), Permission: string(g.Permission)})
			}
		}
		return "GetBucketAcl", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: name})
		if err == nil && out.PublicAccessBlockConfiguration != nil {
			c := out.PublicAccessBlockConfiguration
			b.PublicAccessBlock = pab(c.BlockPublicAcls, c.IgnorePublicAcls, c.BlockPublicPolicy, c.RestrictPublicBuckets)
		}
		return "GetPublicAccessBlock", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: name})
		if err == nil {
			b.Versioning, b.MFADelete = string(out.Status), string(out.MFADelete)
		}
		return "GetBucketVersioning", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: name})
		if err == nil && out.ServerSideEncryptionConfiguration != nil {
			for _, r := range out.ServerSideEncryptionConfiguration.Rules {
				if d := r.ApplyServerSideEncryptionByDefault; d != nil {
					b.Encryption, b.KMSKeyID = string(d.SSEAlgorithm), aws.ToString(d.KMSMasterKeyID)
					break
				}
			}
		}
		return "GetBucketEncryption", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: name})
		if err == nil && out.LoggingEnabled != nil {
			b.LoggingTarget = aws.ToString(out.LoggingEnabled.TargetBucket)
		}
		return "GetBucketLogging", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: name})
		if err == nil && out.ReplicationConfiguration != nil {
			for _, r := range out.ReplicationConfiguration.Rules {
				if r.Status == s3types.ReplicationRuleStatusEnabled && r.Destination != nil {
					b.Replication = append(b.Replication, aws.ToString(r.Destination.Bucket))
				}
			}
		}
		return "GetBucketReplication", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		in := &s3.ListBucketInventoryConfigurationsInput{Bucket: name}
		n := 0
		for {
			out, err := api.ListBucketInventoryConfigurations(ctx, in)
			if err != nil {
				return "ListBucketInventoryConfigurations", err
			}
			for _, c := range out.InventoryConfigurationList {
				if aws.ToBool(c.IsEnabled) {
					n++
				}
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.ContinuationToken = out.NextContinuationToken
		}
		b.Inventories = n
		return "", nil
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: name})
		if err == nil {
			for _, r := range out.Rules {
				b.Lifecycle = b.Lifecycle || r.Status == s3types.ExpirationStatusEnabled
			}
		}
		return "GetBucketLifecycleConfiguration", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: name})
		if err == nil && out.ObjectLockConfiguration != nil {
			b.ObjectLock = out.ObjectLockConfiguration.ObjectLockEnabled == s3types.ObjectLockEnabledEnabled
		}
		return "GetObjectLockConfiguration", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: name})
		if err == nil && len(out.TagSet) > 0 {
			b.Tags = make(map[string]string, len(out.TagSet))
			for _, tag := range out.TagSet {
				b.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
		}
		return "GetBucketTagging", err
	},
	func(ctx context.Context, api s3API, name *string, b *snapshot.Bucket) (string, error) {
		out, err := api.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: name})
		if err == nil {
			for _, q := range out.QueueConfigurations {
				n := snapshot.QueueNotification{ID: aws.ToString(q.Id), Queue: aws.ToString(q.QueueArn)}
				for _, ev := range q.Events {
					n.Events = append(n.Events, string(ev))
				}
				b.QueueNotifications = append(b.QueueNotifications, n)
			}
		}
		return "GetBucketNotificationConfiguration", err
	},
}

// pab builds Block Public Access settings from S3's or S3 Control's answer,
// which spell the same four switches in two types.
func pab(blockACLs, ignoreACLs, blockPolicy, restrictBuckets *bool) *snapshot.PublicAccessBlock {
	return &snapshot.PublicAccessBlock{BlockPublicAcls: aws.ToBool(blockACLs), IgnorePublicAcls: aws.ToBool(ignoreACLs),
		BlockPublicPolicy: aws.ToBool(blockPolicy), RestrictPublicBuckets: aws.ToBool(restrictBuckets)}
}
