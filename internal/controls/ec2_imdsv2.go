package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "ec2.imdsv2",
	Title:    "Every instance requires IMDSv2",
	Stage:    "F6",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.High,
	CIS:      []string{"6.7"},
	Rationale: "IMDSv1 answers any GET request, so a server-side request forgery in an application hands the " +
		"instance role's credentials to the attacker (the Capital One breach). IMDSv2's session tokens defeat that.",
	Steps: "Require tokens on every instance (after checking that its SDKs are recent enough), and make it the " +
		"account default for new instances.\n" +
		"Console: EC2 > Instances > select > Actions > Instance settings > Modify instance metadata options > IMDSv2 Required.\n" +
		"CLI: aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-endpoint enabled\n" +
		"     aws ec2 modify-instance-metadata-defaults --http-tokens required",
	Reads: []string{"ec2:DescribeInstances"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		if len(s.Instances) == 0 {
			e.Pass("", "no instance in %s", e.Region)
			return
		}
		for _, i := range s.Instances {
			arn := ec2ARN(e, "instance", i.ID)
			switch {
			case i.HTTPEndpoint == "disabled":
				e.Pass(arn, "instance %s has its metadata endpoint disabled", i.ID)
			case i.HTTPTokens == "required":
				e.Pass(arn, "instance %s requires IMDSv2 tokens", i.ID)
			default:
				e.Fail(arn, "instance %s accepts IMDSv1 requests (http_tokens=%s): require tokens", i.ID, i.HTTPTokens)
			}
		}
	},
})
