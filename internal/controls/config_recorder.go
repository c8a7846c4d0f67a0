package controls

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "config.recorder",
	Title:    "AWS Config records all resource types in every enabled region",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"4.3"},
	Rationale: "Config keeps the configuration history of every resource: what a security group allowed last Tuesday, " +
		"who changed it, what else changed with it. A region without a recorder is a region where changes leave no " +
		"history; an organization-level service cannot record on a region's behalf.",
	Steps: "Console: AWS Config > Settings > Edit > Recording strategy: All resource types with customizable overrides, " +
		"delivery to the log-archive bucket; repeat in every enabled region.\n" +
		"CLI (per region): aws configservice put-configuration-recorder --configuration-recorder " +
		"name=default,roleARN=<AWSServiceRoleForConfig-arn> --recording-group allSupported=true,includeGlobalResourceTypes=true\n" +
		"     aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<log-archive-bucket>\n" +
		"     aws configservice start-configuration-recorder --configuration-recorder-name default",
	Reads: []string{"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus", "config:DescribeDeliveryChannels"},
	Check: func(e *catalog.Eval) {
		c := e.R.Config
		if c == nil {
			e.NotCollected("config")
			return
		}
		var problems, linked []string
		for _, r := range c.Recorders {
			// Service-linked recorders record only what their service needs.
			if r.ServicePrincipal != "" {
				linked = append(linked, r.Name)
				continue
			}
			gaps := recorderGaps(r, len(c.DeliveryChannels) > 0)
			if len(gaps) == 0 {
				global := "global resource types included"
				if !r.IncludeGlobal {
					global = "global resource types are recorded elsewhere or not at all"
				}
				e.Pass("", "recorder %s records all supported resource types (%s)", r.Name, global)
				return
			}
			problems = append(problems, fmt.Sprintf("recorder %s %s", r.Name, strings.Join(gaps, ", ")))
		}
		switch {
		case len(problems) > 0:
		case len(linked) > 0:
			problems = append(problems, fmt.Sprintf("only service-linked recorders (%s), which record what their service needs: add a recorder of all resource types", listOf(linked)))
		default:
			problems = append(problems, "no configuration recorder in "+e.Region)
		}
		e.Fail("", "%s", strings.Join(problems, "; "))
	},
	Fix: &catalog.Fix{
		Plan: planConfigRecorder,
		Ops: opsOf(bucketOps, map[string]catalog.Op{
			"service-linked-role": decodedOp(func(ctx context.Context, cfg aws.Config, r linkedRole) error {
				return ensureLinkedRole(ctx, iam.NewFromConfig(cfg), r)
			}),
			"recorder": decodedOp(func(ctx context.Context, cfg aws.Config, r recorderSpec) error {
				return putRecorder(ctx, configservice.NewFromConfig(cfg), r)
			}),
			"delivery-channel": decodedOp(func(ctx context.Context, cfg aws.Config, d channelSpec) error {
				return putDeliveryChannel(ctx, configservice.NewFromConfig(cfg), d)
			}),
			"start": decodedOp(func(ctx context.Context, cfg aws.Config, r recorderState) error {
				return startRecorder(ctx, configservice.NewFromConfig(cfg), r.Name)
			}),
		}),
	},
})

// configService is the principal of AWS Config.
const configService = "config.amazonaws.com"

// recordsAll reports whether the recorder's recording group covers every
// supported resource type.
func recordsAll(r snapshot.ConfigRecorder) bool {
	return r.AllSupported || r.RecordingStrategy == string(cfgtypes.RecordingStrategyTypeAllSupportedResourceTypes)
}

// recorderGaps lists what keeps a recorder from recording everything.
func recorderGaps(r snapshot.ConfigRecorder, delivers bool) []string {
	var gaps []string
	switch {
	case recordsAll(r):
	case r.RecordingStrategy == "EXCLUSION_BY_RESOURCE_TYPES":
		gaps = append(gaps, fmt.Sprintf("excludes %d resource types (%s)", len(r.ResourceTypes), listOf(r.ResourceTypes)))
	default:
		gaps = append(gaps, fmt.Sprintf("records only %d selected resource types", len(r.ResourceTypes)))
	}
	if !r.Recording {
		gaps = append(gaps, "is not recording")
	}
	if strings.EqualFold(r.LastStatus, "Failure") {
		gaps = append(gaps, "failed its last recording")
	}
	if !delivers {
		gaps = append(gaps, "has no delivery channel")
	}
	return gaps
}

// planConfigRecorder gives the region a recorder of every resource type
// (global types in the home region only), a delivery channel to the central
// bucket of the log-archive account, and starts it. A recorder or channel
// that exists is kept under its own name: Config allows one of each.
func planConfigRecorder(p *catalog.Planner) {
	c := p.R.Config
	if c == nil {
		p.NotCollected("config")
		return
	}
	planConfigShared(p)
	if len(failures(p)) == 0 {
		return
	}
	s, acct, here := p.Settings, p.Account.AccountID, p.Here()
	rec := customerRecorder(c)
	linked := iamRoleARN(p.Region, acct, configLinkedRole)
	want := recorderSpec{Name: configRecorderName(s), RoleARN: linked, AllSupported: true, IncludeGlobal: p.Region == s.HomeRegion}
	if rec != nil {
		want.Name = rec.Name
		if rec.RoleARN != "" {
			want.RoleARN = rec.RoleARN
		}
	}
	var role []string
	if want.RoleARN == linked {
		role = append(role, p.At(acct, "").Ref(linked))
	}
	res := "config-recorder/" + want.Name
	switch {
	case rec == nil:
		here.Create("recorder", res, want, role...)
	case !recordsAll(*rec):
		here.Update("recorder", res, recorderSpec{Name: rec.Name, RoleARN: rec.RoleARN, AllSupported: rec.AllSupported, IncludeGlobal: rec.IncludeGlobal}, want, role...)
	}
	startAfter := []string{here.Ref(res)}
	if len(c.DeliveryChannels) == 0 {
		la := p.DesignatedOrBlock("log-archive")
		if la == nil {
			return
		}
		bucket := configBucketName(s, la.AccountID)
		channel := "config-delivery-channel/" + configChannelName(s)
		here.Create("delivery-channel", channel, channelSpec{Name: configChannelName(s), Bucket: bucket},
			here.Ref(res), p.At(la.AccountID, s.HomeRegion).Ref(bucketARN(s.HomeRegion, bucket)))
		startAfter = append(startAfter, here.Ref(channel))
	}
	switch {
	case rec == nil || !rec.Recording:
		// Its own resource: the channel waits for the recorder, the start for both.
		here.Update("start", res+"/status", recorderState{Name: want.Name}, recorderState{Name: want.Name, Recording: true}, startAfter...)
	case recordsAll(*rec) && len(c.DeliveryChannels) > 0:
		// Recording everything into a channel, yet failing: a role or bucket
		// policy problem apply cannot guess.
		here.Block(res, "recorder %s failed its last recording: check that its role %s may read the resources and write to the delivery channel's bucket %s",
			rec.Name, rec.RoleARN, c.DeliveryChannels[0].S3Bucket)
	}
}

// planConfigShared plans what the regions' recorders share, each once: the
// service-linked role of an account (in its anchor region) and the central
// bucket (in the log-archive account's).
func planConfigShared(p *catalog.Planner) {
	s, a := p.Settings, p.Account
	if p.Region != anchorRegion(s, a) {
		return
	}
	if linkedRoleNeeded(a) {
		p.At(a.AccountID, "").Create("service-linked-role", iamRoleARN(p.Region, a.AccountID, configLinkedRole), linkedRole{Service: configService})
	}
	if la := p.Designated("log-archive"); la == a {
		bucket := configBucketName(s, a.AccountID)
		if configBucketNeeded(p.Snap, bucket) {
			planBucket(p, a.AccountID, configBucketOf(p.Snap, s.HomeRegion, bucket))
		}
	}
}

// configLinkedRole is the service-linked role new recorders use.
const configLinkedRole = "aws-service-role/" + configService + "/AWSServiceRoleForConfig"

// customerRecorder is the region's recorder of the account's own (not one a
// service linked), or nil.
func customerRecorder(c *snapshot.Config) *snapshot.ConfigRecorder {
	for i, r := range c.Recorders {
		if r.ServicePrincipal == "" {
			return &c.Recorders[i]
		}
	}
	return nil
}

// linkedRoleNeeded reports whether a region of the account gets a new
// recorder and no recorder already uses the service-linked role (which
// proves it exists).
func linkedRoleNeeded(a *snapshot.Account) bool {
	needed := false
	for _, r := range a.Regions {
		if r.Config == nil {
			continue
		}
		rec := customerRecorder(r.Config)
		if rec != nil && strings.HasSuffix(rec.RoleARN, ":role/"+configLinkedRole) {
			return false
		}
		needed = needed || rec == nil || rec.RoleARN == ""
	}
	return needed
}

// configBucketNeeded reports whether some region gets a delivery channel to
// the bucket and none delivers to it yet (which proves it exists).
func configBucketNeeded(snap *snapshot.Snapshot, bucket string) bool {
	needed := false
	for _, a := range snap.Accounts {
		for _, r := range a.Regions {
			if r.Config == nil {
				continue
			}
			for _, d := range r.Config.DeliveryChannels {
				if d.S3Bucket == bucket {
					return false
				}
			}
			needed = needed || len(r.Config.DeliveryChannels) == 0
		}
	}
	return needed
}

// recorderSpec is a configuration recorder.
type recorderSpec struct {
	Name          string `json:"name"`
	RoleARN       string `json:"role_arn"`
	AllSupported  bool   `json:"all_supported"`
	IncludeGlobal bool   `json:"include_global_resource_types"`
}

// channelSpec is a delivery channel.
type channelSpec struct {
	Name   string `json:"name"`
	Bucket string `json:"s3_bucket"`
}

// recorderState is whether a recorder records.
type recorderState struct {
	Name      string `json:"name"`
	Recording bool   `json:"recording"`
}

// linkedRole is a service-linked role.
type linkedRole struct {
	Service string `json:"service"`
}

// configBucketOf is the bucket with a policy that lets Config deliver for
// the organization's accounts (the accounts of the snapshot outside an
// organization) and refuses requests without TLS.
func configBucketOf(snap *snapshot.Snapshot, region, name string) bucketSpec {
	arn := bucketARN(region, name)
	from := map[string]any{}
	if o := snap.Organization; o != nil && o.ID != "" {
		from["aws:SourceOrgID"] = o.ID
	} else {
		var ids []string
		for _, a := range snap.Accounts {
			ids = append(ids, a.AccountID)
		}
		from["aws:SourceAccount"] = ids
	}
	delivery := maps.Clone(from)
	delivery["s3:x-amz-acl"] = "bucket-owner-full-control"
	return bucketSpec{Name: name, Region: region, Statements: []iamStatement{
		{Sid: "ConfigAclCheck", Effect: "Allow", Principal: servicePrincipal(configService), Action: "s3:GetBucketAcl", Resource: arn,
			Condition: iamCondition{"StringEquals": from}},
		{Sid: "ConfigExistenceCheck", Effect: "Allow", Principal: servicePrincipal(configService), Action: "s3:ListBucket", Resource: arn,
			Condition: iamCondition{"StringEquals": from}},
		{Sid: "ConfigDelivery", Effect: "Allow", Principal: servicePrincipal(configService), Action: "s3:PutObject", Resource: arn + "/AWSLogs/*",
			Condition: iamCondition{"StringEquals": delivery}},
		tlsOnlyStatement(region, name),
	}}
}

type linkedRoleCreator interface {
	CreateServiceLinkedRole(context.Context, *iam.CreateServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error)
}

// ensureLinkedRole creates the service-linked role; IAM refuses a second one
// with InvalidInput ("has been taken"), which means it exists.
func ensureLinkedRole(ctx context.Context, api linkedRoleCreator, r linkedRole) error {
	_, err := api.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(r.Service)})
	if hasCode(err, "EntityAlreadyExists") || hasCode(err, "InvalidInput") && strings.Contains(awsx.Message(err), "has been taken") {
		return nil
	}
	return err
}

type configWriter interface {
	PutConfigurationRecorder(context.Context, *configservice.PutConfigurationRecorderInput, ...func(*configservice.Options)) (*configservice.PutConfigurationRecorderOutput, error)
	PutDeliveryChannel(context.Context, *configservice.PutDeliveryChannelInput, ...func(*configservice.Options)) (*configservice.PutDeliveryChannelOutput, error)
	StartConfigurationRecorder(context.Context, *configservice.StartConfigurationRecorderInput, ...func(*configservice.Options)) (*configservice.StartConfigurationRecorderOutput, error)
}

// Config refuses a role or bucket policy it cannot see yet with these.
var configSettlingCodes = []string{"InsufficientDeliveryPolicyException", "NoSuchBucketException", "InvalidRoleException",
	"InsufficientPermissionsException", "NoAvailableDeliveryChannelException", "NoAvailableConfigurationRecorderException"}

func putRecorder(ctx context.Context, api configWriter, r recorderSpec) error {
	_, err := api.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String(r.Name), RoleARN: aws.String(r.RoleARN),
		RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: r.AllSupported, IncludeGlobalResourceTypes: r.IncludeGlobal,
			RecordingStrategy: &cfgtypes.RecordingStrategy{UseOnly: cfgtypes.RecordingStrategyTypeAllSupportedResourceTypes}},
	}})
	return retryOn(err, configSettlingCodes...)
}

func putDeliveryChannel(ctx context.Context, api configWriter, d channelSpec) error {
	_, err := api.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: aws.String(d.Name), S3BucketName: aws.String(d.Bucket)}})
	return retryOn(err, configSettlingCodes...)
}

func startRecorder(ctx context.Context, api configWriter, name string) error {
	_, err := api.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String(name)})
	return retryOn(err, configSettlingCodes...)
}
