package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "cloudtrail", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectCloudTrail(ctx, t, cloudtrail.NewFromConfig(t.Config))
	}})
}

// cloudTrailAPI is the read-only part of CloudTrail we call.
type cloudTrailAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

// collectCloudTrail lists the trails visible in the region, shadow copies
// included, and reads the status and selectors of each trail once per
// account: in its home region, or in the first assessed region when the home
// region is not assessed.
func collectCloudTrail(ctx context.Context, t *Task, api cloudTrailAPI) {
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if t.Failed("DescribeTrails", err) {
		return
	}
	ct := &snapshot.CloudTrail{Trails: make([]snapshot.Trail, len(out.TrailList))}
	var mine []int
	for i, tr := range out.TrailList {
		ct.Trails[i] = trailOf(tr)
		if detailRegion(ct.Trails[i].HomeRegion, t.Account.Regions) == t.Region {
			mine = append(mine, i)
		}
	}
	t.Fan(ctx, 2*len(mine), func(ctx context.Context, i int) {
		tr := &ct.Trails[mine[i/2]]
		if i%2 == 0 {
			st, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(tr.Arn)})
			if !trailReadFailed(t, tr, "GetTrailStatus", err) {
				tr.Logging = aws.Bool(aws.ToBool(st.IsLogging))
			}
			return
		}
		sel, err := api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(tr.Arn)})
		if !trailReadFailed(t, tr, "GetEventSelectors", err) {
			tr.Selectors, tr.SelectorsRead = eventSelectorsOf(sel), true
		}
	})
	t.Account.Regions[t.Region].CloudTrail = ct
}

// trailReadFailed records a failed read of a trail's details, except when
// the trail belongs to another account (an organization trail seen from a
// member), which may refuse it: its owner's own collection reads it.
func trailReadFailed(t *Task, tr *snapshot.Trail, op string, err error) bool {
	if err == nil {
		return false
	}
	if tr.OwnerAccountID != t.Account.AccountID && (awsx.IsAccessDenied(err) || awsx.IsNotFound(err)) {
		return true
	}
	return t.FailedOn(op, tr.Arn, err)
}

// detailRegion is the region whose collector reads a trail's details: its
// home region when assessed, else the first assessed region, so that each
// trail is read once per account.
func detailRegion(home string, assessed map[string]*snapshot.Region) string {
	if _, ok := assessed[home]; ok {
		return home
	}
	first := ""
	for r := range assessed {
		if first == "" || r < first {
			first = r
		}
	}
	return first
}

func trailOf(tr cttypes.Trail) snapshot.Trail {
	arn := aws.ToString(tr.TrailARN)
	return snapshot.Trail{
		Name: aws.ToString(tr.Name), Arn: arn, HomeRegion: aws.ToString(tr.HomeRegion), OwnerAccountID: arnAccountID(arn),
		MultiRegion: aws.ToBool(tr.IsMultiRegionTrail), Organization: aws.ToBool(tr.IsOrganizationTrail),
		IncludeGlobalEvents: aws.ToBool(tr.IncludeGlobalServiceEvents), LogFileValidation: aws.ToBool(tr.LogFileValidationEnabled),
		KMSKeyID: aws.ToString(tr.KmsKeyId), S3Bucket: aws.ToString(tr.S3BucketName), S3KeyPrefix: aws.ToString(tr.S3KeyPrefix),
		CloudWatchLogsGroup: aws.ToString(tr.CloudWatchLogsLogGroupArn), SNSTopic: aws.ToString(tr.SnsTopicARN),
	}
}

func eventSelectorsOf(out *cloudtrail.GetEventSelectorsOutput) []snapshot.EventSelector {
	var sels []snapshot.EventSelector
	for _, s := range out.EventSelectors {
		sel := snapshot.EventSelector{ReadWrite: string(s.ReadWriteType), IncludeMgmt: aws.ToBool(s.IncludeManagementEvents),
			ExcludeMgmtSources: s.ExcludeManagementEventSources}
		for _, d := range s.DataResources {
			sel.DataResources = append(sel.DataResources, snapshot.DataResource{Type: aws.ToString(d.Type), Values: d.Values})
		}
		sels = append(sels, sel)
	}
	for _, s := range out.AdvancedEventSelectors {
		sel := snapshot.EventSelector{Name: aws.ToString(s.Name)}
		for _, f := range s.FieldSelectors {
			sel.Fields = append(sel.Fields, snapshot.FieldSelector{
				Field: aws.ToString(f.Field), Equals: f.Equals, NotEquals: f.NotEquals, StartsWith: f.StartsWith,
				NotStartsWith: f.NotStartsWith, EndsWith: f.EndsWith, NotEndsWith: f.NotEndsWith,
			})
		}
		sels = append(sels, sel)
	}
	return sels
}

// arnAccountID is the account field of an ARN, "" when there is none.
func arnAccountID(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
