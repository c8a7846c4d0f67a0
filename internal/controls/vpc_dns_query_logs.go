package controls

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	r53rtypes "github.com/aws/aws-sdk-go-v2/service/route53resolver/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "vpc.dns-query-logs",
	Title:    "Route 53 Resolver query logging on every VPC",
	Stage:    "F4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Low,
	Rationale: "Malware, crypto-miners and exfiltration over DNS all resolve names: the VPC's DNS queries show which " +
		"instance looked up which domain, which flow logs (IP addresses only) cannot.",
	Steps: "Console: Route 53 > Resolver > Query logging > Configure query logging, destination the log-archive " +
		"bucket, add every VPC (share one configuration across accounts with AWS RAM).\n" +
		"CLI: aws route53resolver create-resolver-query-log-config --name org-dns --destination-arn arn:aws:s3:::<bucket>\n" +
		"     aws route53resolver associate-resolver-query-log-config --resolver-query-log-config-id <id> --resource-id <vpc-id>",
	Reads: []string{"ec2:DescribeVpcs", "route53resolver:ListResolverQueryLogConfigs", "route53resolver:ListResolverQueryLogConfigAssociations"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		r := e.R.Resolver
		if r == nil {
			e.NotCollected("route53resolver")
			return
		}
		if len(s.VPCs) == 0 {
			e.Pass("", "no VPC in %s", e.Region)
			return
		}
		hint := "create a query logging configuration and associate it"
		if len(r.QueryLogConfigs) > 0 {
			hint = "associate it with query logging configuration " + listOf(r.QueryLogConfigs)
		}
		for _, v := range s.VPCs {
			arn := ec2ARN(e, "vpc", v.ID)
			a := queryLogging(r, v.ID)
			switch {
			case a == nil:
				e.Fail(arn, "VPC %s does not log its DNS queries: %s", v.ID, hint)
			case a.Status == "ACTIVE" || a.Status == "CREATING":
				e.Pass(arn, "VPC %s logs its DNS queries through %s", v.ID, a.ConfigID)
			default:
				e.Fail(arn, "VPC %s does not log its DNS queries: its association with %s is %s", v.ID, a.ConfigID, a.Status)
			}
		}
	},
	Fix: &catalog.Fix{
		Plan: planQueryLogging,
		Ops: map[string]catalog.Op{
			"log-group": createLogGroup,
			"query-log-config": decodedOp(func(ctx context.Context, cfg aws.Config, c queryLogConfig) error {
				_, err := ensureQueryLogConfig(ctx, route53resolver.NewFromConfig(cfg), c)
				return err
			}),
			"associate": decodedOp(func(ctx context.Context, cfg aws.Config, a queryLogAssociation) error {
				return associateQueryLogging(ctx, route53resolver.NewFromConfig(cfg), a)
			}),
		},
	},
})

// planQueryLogging associates every VPC the plan keeps and that does not
// log its DNS queries with a query logging configuration of the region: one
// that exists (the first by id), else the baseline's own, created with its
// CloudWatch Logs group.
func planQueryLogging(p *catalog.Planner) {
	s := ec2Of(p.Eval)
	if s == nil {
		return
	}
	r := p.R.Resolver
	if r == nil {
		p.NotCollected("route53resolver")
		return
	}
	vpcs := vpcsToLog(p, s)
	if len(vpcs) == 0 {
		return
	}
	target := queryLogAssociation{}
	var deps []string
	if len(r.QueryLogConfigs) > 0 {
		target.ConfigID = slices.Min(r.QueryLogConfigs)
	} else {
		name, group := queryLogConfigName(p.Settings), dnsLogGroup(p.Settings)
		res := "resolver-query-log-config/" + name
		p.Here().Create("query-log-config", res, queryLogConfig{Name: name, Destination: logGroupARN(p.Region, p.Account.AccountID, group), Tags: catalog.ManagedTags(nil)},
			planLogGroup(p, group))
		target.ConfigName, deps = name, []string{p.Here().Ref(res)}
	}
	for _, v := range vpcs {
		if a := queryLogging(r, v.ID); a != nil && a.ConfigID == target.ConfigID {
			p.Here().Block(ec2ARN(p.Eval, "vpc", v.ID), "VPC %s: its association with query logging configuration %s is %s: "+
				"remove it, then plan again", v.ID, a.ConfigID, a.Status)
			continue
		}
		a := target
		a.VPCID = v.ID
		p.Here().Create("associate", "resolver-query-log-association/"+v.ID, a, deps...)
	}
}

// queryLogConfig is a query logging configuration apply creates.
type queryLogConfig struct {
	Name        string            `json:"name"`
	Destination string            `json:"destination_arn"`
	Tags        map[string]string `json:"tags"`
}

// queryLogAssociation links a VPC to a configuration known by id, or by
// name when the plan creates it.
type queryLogAssociation struct {
	VPCID      string `json:"vpc_id"`
	ConfigID   string `json:"config_id,omitempty"`
	ConfigName string `json:"config_name,omitempty"`
}

type queryLogWriter interface {
	ListResolverQueryLogConfigs(context.Context, *route53resolver.ListResolverQueryLogConfigsInput, ...func(*route53resolver.Options)) (*route53resolver.ListResolverQueryLogConfigsOutput, error)
	CreateResolverQueryLogConfig(context.Context, *route53resolver.CreateResolverQueryLogConfigInput, ...func(*route53resolver.Options)) (*route53resolver.CreateResolverQueryLogConfigOutput, error)
	AssociateResolverQueryLogConfig(context.Context, *route53resolver.AssociateResolverQueryLogConfigInput, ...func(*route53resolver.Options)) (*route53resolver.AssociateResolverQueryLogConfigOutput, error)
}

// queryLogConfigID finds the account's configuration named name, "" when
// there is none.
func queryLogConfigID(ctx context.Context, api queryLogWriter, name string) (string, error) {
	in := &route53resolver.ListResolverQueryLogConfigsInput{Filters: []r53rtypes.Filter{{Name: aws.String("Name"), Values: []string{name}}}}
	p := route53resolver.NewListResolverQueryLogConfigsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, c := range page.ResolverQueryLogConfigs {
			if aws.ToString(c.Name) == name {
				return aws.ToString(c.Id), nil
			}
		}
	}
	return "", nil
}

// ensureQueryLogConfig returns the id of the configuration, created unless
// one of its name exists. The name doubles as the creator request id, so
// that two concurrent creations make one configuration.
func ensureQueryLogConfig(ctx context.Context, api queryLogWriter, c queryLogConfig) (string, error) {
	if id, err := queryLogConfigID(ctx, api, c.Name); id != "" || err != nil {
		return id, err
	}
	in := &route53resolver.CreateResolverQueryLogConfigInput{Name: aws.String(c.Name), DestinationArn: aws.String(c.Destination),
		CreatorRequestId: aws.String(c.Name)}
	in.Tags = tagList(c.Tags, func(k, v *string) r53rtypes.Tag { return r53rtypes.Tag{Key: k, Value: v} })
	out, err := api.CreateResolverQueryLogConfig(ctx, in)
	if hasCode(err, "ResourceExistsException") {
		return queryLogConfigID(ctx, api, c.Name)
	}
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ResolverQueryLogConfig.Id), nil
}

// associateQueryLogging associates the VPC; an association that exists is
// left as it is.
func associateQueryLogging(ctx context.Context, api queryLogWriter, a queryLogAssociation) error {
	id := a.ConfigID
	if id == "" {
		var err error
		if id, err = queryLogConfigID(ctx, api, a.ConfigName); err != nil {
			return err
		}
		if id == "" {
			return catalog.Retryable(fmt.Errorf("query logging configuration %s is not visible yet", a.ConfigName))
		}
	}
	_, err := api.AssociateResolverQueryLogConfig(ctx, &route53resolver.AssociateResolverQueryLogConfigInput{
		ResolverQueryLogConfigId: aws.String(id), ResourceId: aws.String(a.VPCID)})
	if hasCode(err, "ResourceExistsException") ||
		hasCode(err, "InvalidRequestException") && strings.Contains(awsx.Message(err), "already associated") {
		return nil
	}
	return err
}

// queryLogging returns the VPC's working query logging association, else
// its broken one, else nil.
func queryLogging(r *snapshot.Resolver, vpc string) *snapshot.QueryLogAssociation {
	var broken *snapshot.QueryLogAssociation
	for i, a := range r.Associations {
		switch {
		case a.VPCID != vpc:
		case a.Status == "ACTIVE" || a.Status == "CREATING":
			return &r.Associations[i]
		default:
			broken = &r.Associations[i]
		}
	}
	return broken
}
