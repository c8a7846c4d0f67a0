package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
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
})
