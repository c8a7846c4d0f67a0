package controls

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "logs.central-pipeline",
	Title:    "CloudWatch log groups stream to the log-archive account",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "Logs that stay in the account that produced them die with it, and whoever compromises the account " +
		"can erase them. A subscription to a destination in the log-archive account (Logs destination or Firehose " +
		"to S3) keeps a copy out of reach and in one place for search.",
	Steps: "In the log-archive account create a CloudWatch Logs destination (backed by Firehose to S3) whose policy " +
		"allows the organization, then in each account and region either one account-level policy:\n" +
		"CLI: aws logs put-account-policy --policy-name central --policy-type SUBSCRIPTION_FILTER_POLICY --scope ALL " +
		"--policy-document '{\"DestinationArn\":\"<destination-arn>\",\"FilterPattern\":\"\",\"Distribution\":\"Random\"}'\n" +
		"or a subscription per log group:\n" +
		"CLI: aws logs put-subscription-filter --log-group-name <group> --filter-name central --filter-pattern '' " +
		"--destination-arn <destination-arn>",
	Reads: []string{"logs:DescribeLogGroups", "logs:DescribeSubscriptionFilters"},
	Knob:  "organization.log_archive_account",
	Check: func(e *catalog.Eval) {
		l := e.R.Logs
		if l == nil {
			e.NotCollected("logs")
			return
		}
		la := designated(e, "log-archive", "organization.log_archive_account")
		if la == nil {
			return
		}
		if len(l.Groups) == 0 {
			e.Pass("", "no log groups in %s", e.Region)
			return
		}
		// The account-level policy is read apart from the groups: when it is
		// unreadable, groups with their own subscription still pass.
		policyErr := e.Failed("logs:DescribeAccountPolicies")
		for _, g := range l.Groups {
			centralPipeline(e, la.AccountID, l.SubscriptionPolicy, policyErr, &g)
		}
	},
	Fix: &catalog.Fix{Plan: planCentralPipeline, Ops: pipelineOps},
})

func centralPipeline(e *catalog.Eval, archive string, policy *snapshot.SubscriptionPolicy, policyErr *snapshot.Error, g *snapshot.LogGroup) {
	if err := e.FailedOn("logs:DescribeSubscriptionFilters", g.Arn); err != nil {
		e.ReadFailed(g.Arn, err)
		return
	}
	var elsewhere []string
	for _, s := range g.Subscriptions {
		if _, _, acct, _, _ := arnFields(s.DestinationArn); acct == archive {
			e.Pass(g.Arn, "log group %s streams to %s in the log-archive account", g.Name, s.DestinationArn)
			return
		}
		elsewhere = append(elsewhere, s.DestinationArn)
	}
	switch {
	case policy.Covers(g.Name):
		if _, _, acct, _, _ := arnFields(policy.DestinationArn); acct == archive {
			e.Pass(g.Arn, "log group %s streams through account-level subscription policy %s to %s in the log-archive account",
				g.Name, policy.Name, policy.DestinationArn)
			return
		}
		e.Fail(g.Arn, "log group %s streams through account-level subscription policy %s to %s, which is not in the log-archive account %s",
			g.Name, policy.Name, policy.DestinationArn, archive)
	case policyErr != nil:
		e.ReadFailed(g.Arn, policyErr)
	case len(elsewhere) > 0:
		e.Fail(g.Arn, "log group %s streams to %s, not to the log-archive account %s", g.Name, listOf(elsewhere), archive)
	default:
		e.Fail(g.Arn, "log group %s has no subscription to the log-archive account %s", g.Name, archive)
	}
}

// The central pipeline apply sets up. In every account and region one
// account-level subscription policy sends every log group, present and
// future, to the log-archive account's CloudWatch Logs destination of that
// region (a policy's destination must be in the log groups' region); every
// destination feeds one Firehose stream in the home region, which writes to
// the central logs bucket. The policy is created even where there are no log
// groups yet, so that the groups other controls create in the same apply are
// covered from the start; groups that already stream to the log-archive
// account through their own subscription are left out of it, so that
// nothing is delivered twice.

// logsAccountPolicy is the After (and Before) of "account-policy".
type logsAccountPolicy struct {
	Name           string   `json:"name"`
	DestinationArn string   `json:"destination_arn"`
	Excluded       []string `json:"excluded_log_groups,omitempty"`
}

// logsDestinationSpec is a destination of the log-archive account, open to
// the organization ("logs-destination").
type logsDestinationSpec struct {
	Name           string            `json:"name"`
	TargetArn      string            `json:"target_arn"`
	RoleArn        string            `json:"role_arn"`
	OrganizationID string            `json:"organization_id"`
	Tags           map[string]string `json:"tags"`
}

// logsStreamSpec is the Firehose stream writing to the logs bucket ("stream").
type logsStreamSpec struct {
	Name      string            `json:"name"`
	BucketArn string            `json:"bucket_arn"`
	RoleArn   string            `json:"role_arn"`
	Tags      map[string]string `json:"tags"`
}

var pipelineOps = opsOf(bucketOps, roleOps, map[string]catalog.Op{
	"account-policy": decodedOp(func(ctx context.Context, cfg aws.Config, a logsAccountPolicy) error {
		return putLogsAccountPolicy(ctx, cloudwatchlogs.NewFromConfig(cfg), a)
	}),
	"logs-destination": decodedOp(func(ctx context.Context, cfg aws.Config, d logsDestinationSpec) error {
		return putLogsDestination(ctx, cloudwatchlogs.NewFromConfig(cfg), d)
	}),
	"stream": decodedOp(func(ctx context.Context, cfg aws.Config, s logsStreamSpec) error {
		return createLogsStream(ctx, firehose.NewFromConfig(cfg), s)
	}),
})

func logsDestinationARN(region, la, name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:destination:%s", partitionOf(region), region, la, name)
}

// planCentralPipeline plans the unit's subscription policy and, in the
// log-archive account, the receiving end.
func planCentralPipeline(p *catalog.Planner) {
	la := p.DesignatedOrBlock("log-archive")
	l := p.R.Logs
	if la == nil || l == nil {
		return
	}
	// Without the policy, what is there to adopt or replace is unknown.
	if err := p.Failed("logs:DescribeAccountPolicies"); err != nil {
		p.Here().Block("", "cannot plan the account's subscription policy: %s", catalog.DescribeReadError(err))
		return
	}
	failing := failures(p)
	s, region := p.Settings, p.Region
	if p.Account.AccountID == la.AccountID {
		planLogsArchive(p, la.AccountID)
	}
	dest := logsDestinationARN(region, la.AccountID, logsDestination(s))
	want := logsAccountPolicy{Name: logsPolicy(s), DestinationArn: dest}
	for _, g := range l.Groups {
		if slices.ContainsFunc(g.Subscriptions, func(f snapshot.SubscriptionFilter) bool {
			_, _, acct, _, _ := arnFields(f.DestinationArn)
			return acct == la.AccountID
		}) {
			want.Excluded = append(want.Excluded, g.Name)
		}
	}
	res := "subscription-policy/" + want.Name
	w := p.Here()
	switch cur := l.SubscriptionPolicy; {
	case cur == nil && (len(failing) > 0 || len(l.Groups) == 0):
		w.Create("account-policy", res, want, catalog.Ref(la.AccountID, region, dest))
	case cur == nil:
		// Every group streams on its own: adopted as it is.
	case cur.Name == want.Name:
		if len(failing) > 0 {
			w.Update("account-policy", res, logsAccountPolicy{Name: cur.Name, DestinationArn: cur.DestinationArn, Excluded: cur.Excluded}, want,
				catalog.Ref(la.AccountID, region, dest))
		}
	default:
		for _, f := range failing {
			w.Block(f.Resource, "the account's subscription policy %s sends to %s and CloudWatch Logs allows one per account and region: "+
				"point it at %s, or remove it for apply to create its own", cur.Name, cur.DestinationArn, dest)
		}
	}
}

// planLogsArchive plans the receiving end in the log-archive account's unit
// of a region: the region's destination and, once (in the account's anchor
// region), the stream, bucket and roles all destinations share, in the home
// region. A destination some account's policy already sends to exists, and
// so does what it feeds.
func planLogsArchive(p *catalog.Planner, la string) {
	s, home := p.Settings, p.Settings.HomeRegion
	stream := fmt.Sprintf("arn:%s:firehose:%s:%s:deliverystream/%s", partitionOf(home), home, la, logsStream(s))
	destRole := roleSpec{Name: logsDestinationRole(s), Service: "logs.amazonaws.com",
		Inline: []iamStatement{{Effect: "Allow", Action: []string{"firehose:PutRecord", "firehose:PutRecordBatch"}, Resource: stream}}}
	destRoleARN := iamRoleARN(home, la, destRole.Name)
	missing := func(region string) bool {
		return !logsDestinationInUse(p.Snap, region, logsDestinationARN(region, la, logsDestination(s)))
	}
	if missing(p.Region) {
		p.At(la, p.Region).Create("logs-destination", logsDestinationARN(p.Region, la, logsDestination(s)),
			logsDestinationSpec{Name: logsDestination(s), TargetArn: stream, RoleArn: destRoleARN, OrganizationID: p.Org().ID, Tags: catalog.ManagedTags(nil)},
			catalog.Ref(la, home, stream), catalog.Ref(la, "", destRoleARN))
	}
	if p.Region != anchorRegion(s, p.Account) || !slices.ContainsFunc(assessedRegions(p.Account), missing) {
		return
	}
	planServiceRole(p, la, destRole)
	name := centralLogsBucket(s, la)
	bucket := planBucket(p, la, bucketSpec{Name: name, Region: home, Statements: []iamStatement{tlsOnlyStatement(home, name)},
		Lifecycle: &trailLifecycle})
	arn := bucketARN(home, name)
	streamRole := roleSpec{Name: logsStreamRole(s), Service: "firehose.amazonaws.com", SourceAccount: la,
		Inline: []iamStatement{{Effect: "Allow", Action: []string{"s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject",
			"s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"}, Resource: []string{arn, arn + "/*"}}}}
	role := planServiceRole(p, la, streamRole)
	p.At(la, home).Create("stream", stream, logsStreamSpec{Name: logsStream(s), BucketArn: arn, RoleArn: iamRoleARN(home, la, streamRole.Name),
		Tags: catalog.ManagedTags(nil)}, bucket, role)
}

// logsDestinationInUse reports whether some account's subscription policy
// in region sends to dest, which it could not without dest existing.
func logsDestinationInUse(snap *snapshot.Snapshot, region, dest string) bool {
	for _, a := range snap.Accounts {
		if r := a.Regions[region]; r != nil && r.Logs != nil && r.Logs.SubscriptionPolicy != nil && r.Logs.SubscriptionPolicy.DestinationArn == dest {
			return true
		}
	}
	return false
}

type logsPipelineWriter interface {
	PutAccountPolicy(context.Context, *cloudwatchlogs.PutAccountPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutAccountPolicyOutput, error)
	PutDestination(context.Context, *cloudwatchlogs.PutDestinationInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutDestinationOutput, error)
	PutDestinationPolicy(context.Context, *cloudwatchlogs.PutDestinationPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutDestinationPolicyOutput, error)
}

// putLogsAccountPolicy writes the policy (PutAccountPolicy replaces one of
// the same name). The destination's own policy may not be visible yet.
func putLogsAccountPolicy(ctx context.Context, c logsPipelineWriter, a logsAccountPolicy) error {
	doc, err := json.Marshal(map[string]string{"DestinationArn": a.DestinationArn, "FilterPattern": "", "Distribution": "Random"})
	if err != nil {
		return err
	}
	in := &cloudwatchlogs.PutAccountPolicyInput{PolicyName: aws.String(a.Name), PolicyDocument: aws.String(string(doc)),
		PolicyType: logstypes.PolicyTypeSubscriptionFilterPolicy, Scope: logstypes.ScopeAll}
	if len(a.Excluded) > 0 {
		list, err := json.Marshal(a.Excluded)
		if err != nil {
			return err
		}
		in.SelectionCriteria = aws.String("LogGroupName NOT IN " + string(list))
	}
	_, err = c.PutAccountPolicy(ctx, in)
	if awsx.IsAccessDenied(err) || hasCode(err, "InvalidParameterException") {
		return catalog.Retryable(err)
	}
	return err
}

// putLogsDestination creates or updates the destination and opens it to the
// organization. CloudWatch Logs refuses a role or stream it cannot use yet.
func putLogsDestination(ctx context.Context, c logsPipelineWriter, d logsDestinationSpec) error {
	out, err := c.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: aws.String(d.Name), TargetArn: aws.String(d.TargetArn),
		RoleArn: aws.String(d.RoleArn), Tags: d.Tags})
	if err != nil {
		return retryOn(err, "InvalidParameterException")
	}
	policy := iamDocument(iamStatement{Effect: "Allow", Principal: map[string]string{"AWS": "*"},
		Action: []string{"logs:PutSubscriptionFilter", "logs:PutAccountPolicy"}, Resource: aws.ToString(out.Destination.Arn),
		Condition: iamCondition{"StringEquals": {"aws:PrincipalOrgID": d.OrganizationID}}})
	_, err = c.PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: aws.String(d.Name),
		AccessPolicy: aws.String(policy), ForceUpdate: aws.Bool(true)})
	return err
}

type logsStreamWriter interface {
	CreateDeliveryStream(context.Context, *firehose.CreateDeliveryStreamInput, ...func(*firehose.Options)) (*firehose.CreateDeliveryStreamOutput, error)
}

// createLogsStream creates the stream; one of that name is adopted. The
// events arrive gzipped from CloudWatch Logs: they are written as they come.
func createLogsStream(ctx context.Context, c logsStreamWriter, s logsStreamSpec) error {
	tags := tagList(s.Tags, func(k, v *string) fhtypes.Tag { return fhtypes.Tag{Key: k, Value: v} })
	_, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String(s.Name),
		DeliveryStreamType: fhtypes.DeliveryStreamTypeDirectPut, Tags: tags,
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{BucketARN: aws.String(s.BucketArn), RoleARN: aws.String(s.RoleArn),
			Prefix: aws.String("CloudWatchLogs/"), ErrorOutputPrefix: aws.String("CloudWatchLogs-errors/!{firehose:error-output-type}/"),
			CompressionFormat: fhtypes.CompressionFormatUncompressed,
			BufferingHints:    &fhtypes.BufferingHints{IntervalInSeconds: aws.Int32(300), SizeInMBs: aws.Int32(5)}}})
	switch {
	case hasCode(err, "ResourceInUseException"):
		return nil
	case hasCode(err, "InvalidArgumentException") && strings.Contains(awsx.Message(err), "role"):
		return catalog.Retryable(err) // a role just created is not assumable yet
	}
	return err
}
