package controls

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "securityhub.enabled",
	Title:    "Security Hub is on in every enabled region, with a security standard",
	Stage:    "M4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "Security Hub gathers GuardDuty, Inspector, Access Analyzer and Config findings in one place and runs " +
		"the AWS Foundational Security Best Practices checks continuously, between two audits. Without an enabled " +
		"standard it checks nothing itself.",
	Steps: "Delegate Security Hub to the security account, then in it:\n" +
		"Console: Security Hub > Configuration > Central configuration: a policy enabling Security Hub and AWS Foundational " +
		"Security Best Practices in all accounts and regions.\n" +
		"CLI (a single account, per region): aws securityhub enable-security-hub --enable-default-standards",
	Reads: []string{"securityhub:DescribeHub", "securityhub:GetEnabledStandards"},
	Check: func(e *catalog.Eval) {
		sh := e.R.SecurityHub
		if sh == nil {
			e.NotCollected("securityhub")
			return
		}
		if !sh.Enabled {
			e.Fail("", "Security Hub is not enabled in %s", e.Region)
			return
		}
		var names []string
		for _, s := range sh.Standards {
			if s.Status != "FAILED" && s.Status != "DELETING" {
				names = append(names, standardName(s.Arn))
			}
		}
		if len(names) == 0 {
			e.Fail("", "Security Hub is enabled in %s but runs no security standard: enable AWS Foundational Security Best Practices", e.Region)
			return
		}
		managed := ""
		if sh.AdminAccountID != "" {
			managed = " (managed by the delegated administrator " + sh.AdminAccountID + ")"
		}
		e.Pass("", "Security Hub is enabled with %s%s", listOf(names), managed)
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			sh := p.R.SecurityHub
			if sh == nil {
				p.NotCollected("securityhub")
				return
			}
			if len(failures(p)) == 0 {
				return
			}
			hub := fmt.Sprintf("arn:%s:securityhub:%s:%s:hub/default", partitionOf(p.Region), p.Region, p.Account.AccountID)
			if !sh.Enabled {
				p.Here().Create("hub", hub, hubSpec{DefaultStandards: true, Tags: catalog.ManagedTags(nil)})
				return
			}
			if sh.AdminAccountID != "" {
				p.Here().Block(hub, "Security Hub is managed by the delegated administrator %s: enable a standard from there", sh.AdminAccountID)
				return
			}
			var before []string
			for _, st := range sh.Standards {
				before = append(before, st.Arn+" ("+st.Status+")")
			}
			p.Here().Update("standard", hub, standardsSpec{Standards: before}, standardsSpec{Standards: []string{fsbpStandard(p.Region)}})
		},
		Ops: map[string]catalog.Op{
			"hub": decodedOp(func(ctx context.Context, cfg aws.Config, h hubSpec) error {
				return enableHub(ctx, securityhub.NewFromConfig(cfg), h)
			}),
			"standard": decodedOp(func(ctx context.Context, cfg aws.Config, st standardsSpec) error {
				return enableStandards(ctx, securityhub.NewFromConfig(cfg), st.Standards)
			}),
		},
	},
})

// fsbpStandard is the ARN of AWS Foundational Security Best Practices.
func fsbpStandard(region string) string {
	return fmt.Sprintf("arn:%s:securityhub:%s::standards/aws-foundational-security-best-practices/v/1.0.0", partitionOf(region), region)
}

// hubSpec enables Security Hub with the default standards (AWS Foundational
// Security Best Practices and CIS).
type hubSpec struct {
	DefaultStandards bool              `json:"default_standards"`
	Tags             map[string]string `json:"tags"`
}

// standardsSpec lists standards by ARN.
type standardsSpec struct {
	Standards []string `json:"standards"`
}

type hubWriter interface {
	EnableSecurityHub(context.Context, *securityhub.EnableSecurityHubInput, ...func(*securityhub.Options)) (*securityhub.EnableSecurityHubOutput, error)
	BatchEnableStandards(context.Context, *securityhub.BatchEnableStandardsInput, ...func(*securityhub.Options)) (*securityhub.BatchEnableStandardsOutput, error)
}

// enableHub enables Security Hub; "already subscribed" means done.
func enableHub(ctx context.Context, api hubWriter, h hubSpec) error {
	_, err := api.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{EnableDefaultStandards: aws.Bool(h.DefaultStandards), Tags: h.Tags})
	if hasCode(err, "ResourceConflictException") {
		return nil
	}
	return err
}

// enableStandards subscribes to the standards (again, when one failed).
func enableStandards(ctx context.Context, api hubWriter, arns []string) error {
	in := &securityhub.BatchEnableStandardsInput{}
	for _, a := range arns {
		in.StandardsSubscriptionRequests = append(in.StandardsSubscriptionRequests, shtypes.StandardsSubscriptionRequest{StandardsArn: aws.String(a)})
	}
	_, err := api.BatchEnableStandards(ctx, in)
	return err
}

// standardName shortens a standard ARN
// (arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0)
// to its name and version.
func standardName(arn string) string {
	_, _, _, res, ok := arnFields(arn)
	if !ok {
		return arn
	}
	if _, name, found := strings.Cut(res, "/"); found {
		return name
	}
	return res
}
