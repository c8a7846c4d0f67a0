package controls

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "config.aggregator",
	Title:    "An organization Config aggregator runs in the security account",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.Low,
	Rationale: "An organization aggregator gives the security team one query over every account's and region's " +
		"configuration (\"which security groups open 22 to the world?\"), without signing in to each account.",
	Steps: "Register the security account as Config delegated administrator, then in it:\n" +
		"Console: AWS Config > Aggregators > Create aggregator > Add my organization, all regions.\n" +
		"CLI: aws configservice put-configuration-aggregator --configuration-aggregator-name org " +
		"--organization-aggregation-source RoleArn=<role-arn>,AllAwsRegions=true",
	Reads: []string{"config:DescribeConfigurationAggregators"},
	Knob:  "organization.security_account",
	Check: func(e *catalog.Eval) {
		if orgOf(e) == nil {
			return
		}
		sec := designatedAssessed(e, "security", "organization.security_account")
		if sec == nil {
			return
		}
		partial := ""
		for _, region := range assessedRegions(sec) {
			c := sec.Regions[region].Config
			if c == nil {
				e.Errorf("", "config was not collected in the security account %s in %s", accountLabel(sec), region)
				return
			}
			for _, a := range c.Aggregators {
				switch {
				case a.Organization && a.AllRegions:
					e.Pass(a.Arn, "organization aggregator %s in the security account %s (%s) covers all regions", a.Name, accountLabel(sec), region)
					return
				case a.Organization:
					partial = a.Name
				}
			}
		}
		if partial != "" {
			e.Fail("", "organization aggregator %s in the security account covers only some regions: aggregate all regions", partial)
			return
		}
		if m := e.Management(); m != nil && m != sec {
			for _, region := range assessedRegions(m) {
				if c := m.Regions[region].Config; c != nil {
					for _, a := range c.Aggregators {
						if a.Organization {
							e.Fail(a.Arn, "organization aggregator %s is in the management account, not in the security account %s: "+
								"delegate Config administration and aggregate there", a.Name, accountLabel(sec))
							return
						}
					}
				}
			}
		}
		e.Fail("", "no organization aggregator in the security account %s", accountLabel(sec))
	},
	Fix: &catalog.Fix{
		Plan: planAggregator,
		Ops: opsOf(roleOps, map[string]catalog.Op{
			opAggregator: decodedOp(func(ctx context.Context, cfg aws.Config, a orgAggregator) error {
				return putAggregator(ctx, configservice.NewFromConfig(cfg), a)
			}),
		}),
	},
})

// opAggregator creates or widens the aggregator; its role is a "role".
const opAggregator = "aggregator"

// aggregatorPolicy is what the role of an organization aggregation source
// needs: read the organization's accounts.
const aggregatorPolicy = "service-role/AWSConfigRoleForOrganizations"

// orgAggregator is an organization aggregator over all regions (the After
// of opAggregator).
type orgAggregator struct {
	Name       string `json:"name"`
	RoleARN    string `json:"role_arn"`
	AllRegions bool   `json:"all_regions"`
}

func aggregatorResource(name string) string { return "config-aggregator/" + name }

// planAggregator widens an organization aggregator of the security account
// that covers some regions only, and otherwise creates one in the home
// region with its role. The security account must administer Config for
// the organization first: org.delegated-admins (or org.security-account)
// delegates it, and the aggregator waits for that change.
func planAggregator(p *catalog.Planner) {
	failing := p.Failing()
	if len(failing) == 0 {
		return
	}
	sec := p.Designated("security")
	if sec == nil || slices.ContainsFunc(failing, func(f catalog.Finding) bool { return f.Status == catalog.StatusError }) {
		blockFailing(p)
		return
	}
	if o := p.Org(); !administersConfig(o, sec.AccountID) && !p.Enabled("org.delegated-admins") && !p.Enabled("org.security-account") {
		p.At(sec.AccountID, p.Settings.HomeRegion).Block(aggregatorResource(configAggregator(p.Settings)), "the security account %s "+
			"does not administer Config for the organization, which an organization aggregator there needs: apply org.delegated-admins with it",
			accountLabel(sec))
		return
	}
	for _, region := range assessedRegions(sec) {
		c := sec.Regions[region].Config
		if c == nil {
			continue
		}
		for _, a := range c.Aggregators {
			if a.Organization && !a.AllRegions && a.RoleArn != "" {
				p.At(sec.AccountID, region).Update(opAggregator, aggregatorResource(a.Name),
					orgAggregator{Name: a.Name, RoleARN: a.RoleArn}, orgAggregator{Name: a.Name, RoleARN: a.RoleArn, AllRegions: true})
				return
			}
		}
	}
	home := p.Settings.HomeRegion
	role := roleSpec{Name: configAggregatorRole(p.Settings), Service: configService, Policies: []string{awsPolicyARN(p.Settings, aggregatorPolicy)}}
	p.At(sec.AccountID, home).Create(opAggregator, aggregatorResource(configAggregator(p.Settings)),
		orgAggregator{Name: configAggregator(p.Settings), RoleARN: iamRoleARN(home, sec.AccountID, role.Name), AllRegions: true},
		planServiceRole(p, sec.AccountID, role), p.Here().Ref(delegationResource(configService)))
}

// administersConfig reports whether account is Config's delegated
// administrator; it is assumed when the delegations could not be read,
// and Config itself refuses the aggregator if not.
func administersConfig(o *snapshot.Organization, account string) bool {
	if o == nil || !o.Full {
		return true
	}
	for _, svc := range securityServices {
		if svc.name == "Config" {
			return slices.ContainsFunc(o.DelegatedAdmins, func(d snapshot.DelegatedAdmin) bool {
				return d.AccountID == account && slices.Contains(svc.principals, d.ServicePrincipal)
			})
		}
	}
	return false
}

type aggregatorWriter interface {
	PutConfigurationAggregator(context.Context, *configservice.PutConfigurationAggregatorInput, ...func(*configservice.Options)) (*configservice.PutConfigurationAggregatorOutput, error)
}

// putAggregator creates or updates the aggregator of that name (Put is an
// upsert). Config refuses a role it cannot assume yet, and an account whose
// delegation it has not seen yet: both settle.
func putAggregator(ctx context.Context, api aggregatorWriter, a orgAggregator) error {
	_, err := api.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{
		ConfigurationAggregatorName:   aws.String(a.Name),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(a.RoleARN), AllAwsRegions: a.AllRegions},
		Tags:                          managedTagList(func(k, v *string) cfgtypes.Tag { return cfgtypes.Tag{Key: k, Value: v} }),
	})
	return retryOn(err, "InvalidRoleException", "OrganizationAccessDeniedException")
}
