package collect

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

// fakeTrails serves DescribeTrails and answers status and selectors reads
// with err for the trails named in deny.
type fakeTrails struct {
	trails []cttypes.Trail
	err    error
	deny   map[string]error
	mu     sync.Mutex
	read   []string
}

func (f *fakeTrails) DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &cloudtrail.DescribeTrailsOutput{TrailList: f.trails}, nil
}

func (f *fakeTrails) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	f.mu.Lock()
	f.read = append(f.read, aws.ToString(in.Name))
	f.mu.Unlock()
	if err := f.deny[aws.ToString(in.Name)]; err != nil {
		return nil, err
	}
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(true)}, nil
}

func (f *fakeTrails) GetEventSelectors(_ context.Context, in *cloudtrail.GetEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	if err := f.deny[aws.ToString(in.TrailName)]; err != nil {
		return nil, err
	}
	return &cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{Name: aws.String("s3"),
		FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Data"}}}}}}, nil
}

func trail(arn, home string) cttypes.Trail {
	return cttypes.Trail{TrailARN: aws.String(arn), Name: aws.String(arn[len(arn)-3:]), HomeRegion: aws.String(home),
		IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true)}
}

func TestCloudTrailReadsEachTrailOnceAndToleratesOtherAccounts(t *testing.T) {
	const (
		own    = "arn:aws:cloudtrail:us-east-1:111111111111:trail/own"
		shadow = "arn:aws:cloudtrail:us-west-2:111111111111:trail/usw"
		orgT   = "arn:aws:cloudtrail:us-east-1:999999999999:trail/org"
		away   = "arn:aws:cloudtrail:ap-south-1:111111111111:trail/aps"
	)
	task, snap := fakeTask(t, "cloudtrail", "us-east-1")
	task.Account.Regions["us-west-2"] = &snapshot.Region{}
	api := &fakeTrails{trails: []cttypes.Trail{trail(own, "us-east-1"), trail(shadow, "us-west-2"), trail(orgT, "us-east-1"), trail(away, "ap-south-1")},
		deny: map[string]error{orgT: errAccessDenied}}
	collectCloudTrail(context.Background(), task, api)

	ct := task.Account.Regions["us-east-1"].CloudTrail
	if ct == nil || len(ct.Trails) != 4 {
		t.Fatalf("trails = %+v", ct)
	}
	byArn := map[string]snapshot.Trail{}
	for _, tr := range ct.Trails {
		byArn[tr.Arn] = tr
	}
	// The home-region copy and the copy of an unassessed home region
	// (ap-south-1: first assessed region reads it) are read here.
	for _, arn := range []string{own, away} {
		if tr := byArn[arn]; tr.Logging == nil || !*tr.Logging || !tr.SelectorsRead || len(tr.Selectors) != 1 || tr.Selectors[0].Fields[0].Field != "eventCategory" {
			t.Errorf("%s: %+v", arn, tr)
		}
	}
	if tr := byArn[shadow]; tr.Logging != nil || tr.SelectorsRead {
		t.Errorf("shadow copy read: %+v", tr)
	}
	if tr := byArn[orgT]; tr.Logging != nil || tr.OwnerAccountID != "999999999999" {
		t.Errorf("other account's trail: %+v", tr)
	}
	if errs := snap().Errors; len(errs) != 0 {
		t.Fatalf("another account's refusal was recorded: %+v", errs)
	}
	if len(api.read) != 3 {
		t.Errorf("GetTrailStatus calls = %v", api.read)
	}
}

func TestCloudTrailCollectorRecordsDenials(t *testing.T) {
	task, snap := fakeTask(t, "cloudtrail", "us-east-1")
	collectCloudTrail(context.Background(), task, &fakeTrails{err: errAccessDenied})
	if task.Account.Regions["us-east-1"].CloudTrail != nil {
		t.Fatal("a failed listing left data")
	}
	own := "arn:aws:cloudtrail:us-east-1:111111111111:trail/own"
	task, snap2 := fakeTask(t, "cloudtrail", "us-east-1")
	collectCloudTrail(context.Background(), task, &fakeTrails{trails: []cttypes.Trail{trail(own, "us-east-1")}, deny: map[string]error{own: errAccessDenied}})
	got := map[string]string{}
	for _, e := range append(snap().Errors, snap2().Errors...) {
		got[e.Service+":"+e.Operation] = e.Resource
	}
	if _, ok := got["cloudtrail:DescribeTrails"]; !ok || got["cloudtrail:GetTrailStatus"] != own || got["cloudtrail:GetEventSelectors"] != own {
		t.Fatalf("errors = %v", got)
	}
}
