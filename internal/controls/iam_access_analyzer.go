package controls

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.access-analyzer",
	Title:    "IAM Access Analyzer (organization) is enabled in every region",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"2.20"},
	Rationale: "Access Analyzer finds the buckets, keys, roles, queues and snapshots that are shared outside the " +
		"organization, whoever shared them and however. An organization analyzer in the security account watches every " +
		"member's region at once; it is regional, so each region needs one.",
	Steps: "Delegate Access Analyzer to the security account, then in it, in every region:\n" +
		"Console: IAM > Access analyzer > Analyzer settings > Create analyzer > Zone of trust: organization.\n" +
		"CLI: aws accessanalyzer create-analyzer --analyzer-name org --type ORGANIZATION --region <region>\n" +
		"(an account outside the organization: --type ACCOUNT)",
	Reads: []string{"access-analyzer:ListAnalyzers"},
	Knob:  "organization.security_account",
	Check: func(e *catalog.Eval) {
		aa := e.R.AccessAnalyzer
		if aa == nil {
			e.NotCollected("access-analyzer")
			return
		}
		for _, a := range aa.Analyzers {
			if externalAccess(a) {
				e.Pass("", "%s analyzer %s is active", strings.ToLower(a.Type), a.Name)
				return
			}
		}
		if e.InOrg() {
			for _, c := range []struct {
				acct *snapshot.Account
				role string
			}{{e.Designated("security"), "security"}, {e.Management(), "management"}} {
				if c.acct == nil || c.acct == e.Account {
					continue
				}
				if r := c.acct.Regions[e.Region]; r != nil && r.AccessAnalyzer != nil {
					for _, a := range r.AccessAnalyzer.Analyzers {
						if a.Type == "ORGANIZATION" && externalAccess(a) {
							e.Pass("", "covered by organization analyzer %s in the %s account %s", a.Name, c.role, accountLabel(c.acct))
							return
						}
					}
				}
				if err := failedReadIn(e.Snap, c.acct.AccountID, e.Region, "access-analyzer:ListAnalyzers", ""); err != nil {
					e.Errorf("", "no analyzer of its own, and the %s account's analyzers are unknown: %s", c.role, catalog.DescribeReadError(err))
					return
				}
			}
		}
		e.Fail("", "no active external-access analyzer covers %s: create an organization analyzer in the security account "+
			"(or an account analyzer here)", e.Region)
	},
	Fix: &catalog.Fix{
		Plan: planAccessAnalyzer,
		Ops: map[string]catalog.Op{"analyzer": decodedOp(func(ctx context.Context, cfg aws.Config, a analyzerSpec) error {
			return createAnalyzer(ctx, accessanalyzer.NewFromConfig(cfg), a)
		})},
	},
})

// accessAnalyzerService is Access Analyzer's service principal, as
// Organizations delegates it.
const accessAnalyzerService = "access-analyzer.amazonaws.com"

// planAccessAnalyzer creates, in an organization, one organization analyzer
// per region in the security account (planned in its own unit, when some
// account of the region is not covered); outside one, an account analyzer
// in each region.
func planAccessAnalyzer(p *catalog.Planner) {
	aa := p.R.AccessAnalyzer
	if aa == nil {
		p.NotCollected("access-analyzer")
		return
	}
	name := accessAnalyzerName(p.Settings)
	arn := fmt.Sprintf("arn:%s:access-analyzer:%s:%s:analyzer/%s", partitionOf(p.Region), p.Region, p.Account.AccountID, name)
	if !p.InOrg() {
		if len(failures(p)) > 0 {
			p.Here().Create("analyzer", arn, analyzerSpec{Name: name, Type: "ACCOUNT", Tags: catalog.ManagedTags(nil)})
		}
		return
	}
	sec := p.Designated("security")
	if sec != p.Account {
		// The security account's unit plans the analyzer that covers this
		// one; without a security account, say how to name one.
		if sec == nil && len(failures(p)) > 0 {
			p.DesignatedOrBlock("security")
		}
		return
	}
	if orgAnalyzerIn(sec, p.Region) || orgAnalyzerIn(p.Management(), p.Region) || !uncoveredIn(p.Snap, p.Region) {
		return
	}
	var deps []string
	if mgmt := p.Snap.ManagementAccountID(); mgmt != sec.AccountID && !delegatedTo(p.Org(), sec.AccountID, accessAnalyzerService) {
		if !p.Enabled("org.delegated-admins") {
			p.Here().Block(arn, "the security account %s is not the delegated administrator of IAM Access Analyzer, which an "+
				"organization analyzer needs: enable org.delegated-admins or delegate it", accountLabel(sec))
			return
		}
		deps = append(deps, catalog.Ref(mgmt, "", delegationResource(accessAnalyzerService)))
	}
	p.Here().Create("analyzer", arn, analyzerSpec{Name: name, Type: "ORGANIZATION", Tags: catalog.ManagedTags(nil)}, deps...)
}

// orgAnalyzerIn reports whether the account has an active organization
// analyzer in the region.
func orgAnalyzerIn(a *snapshot.Account, region string) bool {
	if a == nil || a.Regions[region] == nil || a.Regions[region].AccessAnalyzer == nil {
		return false
	}
	return slices.ContainsFunc(a.Regions[region].AccessAnalyzer.Analyzers, func(x snapshot.Analyzer) bool {
		return x.Type == "ORGANIZATION" && externalAccess(x)
	})
}

// uncoveredIn reports whether some assessed account has no external-access
// analyzer of its own in the region (or its analyzers are unknown).
func uncoveredIn(snap *snapshot.Snapshot, region string) bool {
	for _, a := range snap.Accounts {
		r := a.Regions[region]
		if a.Unreachable != "" || r == nil {
			continue
		}
		if r.AccessAnalyzer == nil || !slices.ContainsFunc(r.AccessAnalyzer.Analyzers, externalAccess) {
			return true
		}
	}
	return false
}

// delegatedTo reports whether the organization delegates the service to account.
func delegatedTo(o *snapshot.Organization, account, principal string) bool {
	return o != nil && slices.ContainsFunc(o.DelegatedAdmins, func(d snapshot.DelegatedAdmin) bool {
		return d.AccountID == account && d.ServicePrincipal == principal
	})
}

// analyzerSpec is an external-access analyzer.
type analyzerSpec struct {
	Name string            `json:"name"`
	Type string            `json:"type"`
	Tags map[string]string `json:"tags"`
}

type analyzerCreator interface {
	CreateAnalyzer(context.Context, *accessanalyzer.CreateAnalyzerInput, ...func(*accessanalyzer.Options)) (*accessanalyzer.CreateAnalyzerOutput, error)
}

// createAnalyzer creates the analyzer; one of its name (ConflictException)
// is the one an earlier run made. Right after the delegation, Access
// Analyzer may not see the account as administrator yet.
func createAnalyzer(ctx context.Context, api analyzerCreator, a analyzerSpec) error {
	_, err := api.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String(a.Name), Type: aatypes.Type(a.Type), Tags: a.Tags})
	switch {
	case hasCode(err, "ConflictException"):
		return nil
	case hasCode(err, "AccessDeniedException", "ValidationException") && a.Type == "ORGANIZATION":
		return catalog.Retryable(err)
	}
	return err
}

// externalAccess reports whether the analyzer is an active external-access
// analyzer (unused-access analyzers answer another question).
func externalAccess(a snapshot.Analyzer) bool {
	return (a.Type == "ACCOUNT" || a.Type == "ORGANIZATION") && a.Status == "ACTIVE"
}
