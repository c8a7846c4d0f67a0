package collect

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/sched"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// orgAPI is the read-only part of Organizations that discovery calls.
type orgAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListAccountsForParent(context.Context, *organizations.ListAccountsForParentInput, ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
	ListTagsForResource(context.Context, *organizations.ListTagsForResourceInput, ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
	ListPolicies(context.Context, *organizations.ListPoliciesInput, ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error)
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
	ListTargetsForPolicy(context.Context, *organizations.ListTargetsForPolicyInput, ...func(*organizations.Options)) (*organizations.ListTargetsForPolicyOutput, error)
	ListDelegatedAdministrators(context.Context, *organizations.ListDelegatedAdministratorsInput, ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error)
	ListDelegatedServicesForAccount(context.Context, *organizations.ListDelegatedServicesForAccountInput, ...func(*organizations.Options)) (*organizations.ListDelegatedServicesForAccountOutput, error)
	ListAWSServiceAccessForOrganization(context.Context, *organizations.ListAWSServiceAccessForOrganizationInput, ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error)
}

// policyTypes are the Organizations policy types the catalog's checks read.
var policyTypes = []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeAiservicesOptOutPolicy, orgtypes.PolicyTypeBackupPolicy}

// discoverOrganization reads the organization, its tree and its policies
// from the caller's account. It returns the organization (nil when the
// caller is in none) and every member account found in the tree.
func discoverOrganization(ctx context.Context, cfg aws.Config, callerID string, full bool, s *sched.Scheduler, rec *recorder) (*snapshot.Organization, []*snapshot.Account) {
	d := &orgDiscovery{api: organizations.NewFromConfig(cfg), caller: callerID, s: s, rec: rec, parents: map[string]string{}}
	return d.run(ctx, full)
}

type orgDiscovery struct {
	api    orgAPI
	caller string
	s      *sched.Scheduler
	rec    *recorder

	mu       sync.Mutex
	accounts []*snapshot.Account
	parents  map[string]string // account id → parent (root or OU) id
	ous      []snapshot.OU
}

func (d *orgDiscovery) failed(op, resource string, err error) bool {
	if err == nil {
		return false
	}
	d.rec.add(d.caller, "", "organizations", op, resource, err)
	return true
}

func (d *orgDiscovery) run(ctx context.Context, full bool) (*snapshot.Organization, []*snapshot.Account) {
	out, err := d.api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if awsx.IsNotFound(err) {
		return &snapshot.Organization{Member: false}, nil
	}
	if d.failed("DescribeOrganization", "", err) {
		return nil, nil
	}
	o := out.Organization
	org := &snapshot.Organization{
		ID: aws.ToString(o.Id), Arn: aws.ToString(o.Arn), ManagementAccountID: aws.ToString(o.MasterAccountId),
		FeatureSet: string(o.FeatureSet), Member: true,
	}
	// Only the management account (or a delegated administrator) can read the
	// tree and the policies; a member just knows it belongs.
	if !full && org.ManagementAccountID != d.caller {
		return org, nil
	}
	roots, err := d.listRoots(ctx)
	if d.failed("ListRoots", "", err) {
		return org, nil
	}
	org.Roots = roots
	org.Full = true
	d.s.All(ctx,
		func(ctx context.Context) { org.Policies = d.policies(ctx) },
		func(ctx context.Context) { org.DelegatedAdmins = d.delegatedAdmins(ctx) },
		func(ctx context.Context) { org.TrustedServices = d.trustedServices(ctx) },
		func(ctx context.Context) {
			d.s.Fan(ctx, len(roots), func(ctx context.Context, i int) { d.walk(ctx, roots[i].ID, "") })
			d.s.Fan(ctx, len(d.accounts), func(ctx context.Context, i int) { d.tags(ctx, d.accounts[i]) })
		})
	sort.Slice(d.ous, func(i, j int) bool { return d.ous[i].Path < d.ous[j].Path })
	org.OUs = d.ous
	sort.Slice(d.accounts, func(i, j int) bool { return d.accounts[i].AccountID < d.accounts[j].AccountID })
	for _, a := range d.accounts {
		org.Accounts = append(org.Accounts, snapshot.OrgAccount{ID: a.AccountID, Name: a.Name, Status: a.Status,
			ParentID: d.parents[a.AccountID], OUPath: a.OUPath, Category: a.Category})
	}
	return org, d.accounts
}

func (d *orgDiscovery) listRoots(ctx context.Context) ([]snapshot.Root, error) {
	var roots []snapshot.Root
	p := organizations.NewListRootsPaginator(d.api, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Roots {
			root := snapshot.Root{ID: aws.ToString(r.Id), Name: aws.ToString(r.Name)}
			for _, pt := range r.PolicyTypes {
				if pt.Status == orgtypes.PolicyTypeStatusEnabled {
					root.EnabledPolicyTypes = append(root.EnabledPolicyTypes, string(pt.Type))
				}
			}
			roots = append(roots, root)
		}
	}
	return roots, nil
}

// walk lists the OUs and accounts under parent, then descends into the OUs in
// parallel: the chain of dependent calls is the depth of the tree.
func (d *orgDiscovery) walk(ctx context.Context, parentID, path string) {
	var children []snapshot.OU
	d.s.All(ctx, func(ctx context.Context) { d.accountsOf(ctx, parentID, path) }, func(ctx context.Context) {
		children = d.ousOf(ctx, parentID, path)
	})
	d.mu.Lock()
	d.ous = append(d.ous, children...)
	d.mu.Unlock()
	d.s.Fan(ctx, len(children), func(ctx context.Context, i int) {
		d.walk(ctx, children[i].ID, strings.TrimPrefix(children[i].Path, "/"))
	})
}

func (d *orgDiscovery) accountsOf(ctx context.Context, parentID, path string) {
	p := organizations.NewListAccountsForParentPaginator(d.api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parentID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if d.failed("ListAccountsForParent", parentID, err) {
			return
		}
		for _, a := range page.Accounts {
			acct := &snapshot.Account{
				AccountID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email),
				Status: accountStatus(a), JoinedAt: a.JoinedTimestamp, OUPath: "/" + path,
			}
			if path != "" {
				acct.OUID = parentID
			}
			d.mu.Lock()
			d.accounts = append(d.accounts, acct)
			d.parents[acct.AccountID] = parentID
			d.mu.Unlock()
		}
	}
}

func (d *orgDiscovery) ousOf(ctx context.Context, parentID, path string) []snapshot.OU {
	var children []snapshot.OU
	p := organizations.NewListOrganizationalUnitsForParentPaginator(d.api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if d.failed("ListOrganizationalUnitsForParent", parentID, err) {
			break
		}
		for _, ou := range page.OrganizationalUnits {
			childPath := aws.ToString(ou.Name)
			if path != "" {
				childPath = path + "/" + childPath
			}
			children = append(children, snapshot.OU{ID: aws.ToString(ou.Id), Name: aws.ToString(ou.Name), ParentID: parentID, Path: "/" + childPath})
		}
	}
	return children
}

func accountStatus(a orgtypes.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}

func (d *orgDiscovery) tags(ctx context.Context, a *snapshot.Account) {
	p := organizations.NewListTagsForResourcePaginator(d.api, &organizations.ListTagsForResourceInput{ResourceId: aws.String(a.AccountID)})
	tags := map[string]string{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if d.failed("ListTagsForResource", a.AccountID, err) {
			break
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	if len(tags) > 0 {
		a.Tags = tags
	}
	a.Category = snapshot.Categorize(a)
}

func (d *orgDiscovery) policies(ctx context.Context) []snapshot.Policy {
	var mu sync.Mutex
	var out []snapshot.Policy
	d.s.Fan(ctx, len(policyTypes), func(ctx context.Context, i int) {
		var summaries []orgtypes.PolicySummary
		p := organizations.NewListPoliciesPaginator(d.api, &organizations.ListPoliciesInput{Filter: policyTypes[i]})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				// A policy type that is not enabled is reported by the checks
				// from the root's enabled types; anything else is an error.
				if awsx.Code(err) != "PolicyTypeNotEnabledException" {
					d.failed("ListPolicies", string(policyTypes[i]), err)
				}
				return
			}
			summaries = append(summaries, page.Policies...)
		}
		d.s.Fan(ctx, len(summaries), func(ctx context.Context, j int) {
			pol := d.policy(ctx, summaries[j])
			mu.Lock()
			out = append(out, pol)
			mu.Unlock()
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (d *orgDiscovery) policy(ctx context.Context, sum orgtypes.PolicySummary) snapshot.Policy {
	id := aws.ToString(sum.Id)
	pol := snapshot.Policy{ID: id, Name: aws.ToString(sum.Name), Type: string(sum.Type), AWSManaged: sum.AwsManaged}
	d.s.All(ctx, func(ctx context.Context) {
		dp, err := d.api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
		if !d.failed("DescribePolicy", id, err) && dp.Policy != nil {
			pol.Content = aws.ToString(dp.Policy.Content)
		}
	}, func(ctx context.Context) { pol.Targets = d.targets(ctx, id) })
	return pol
}

func (d *orgDiscovery) targets(ctx context.Context, id string) []string {
	var out []string
	p := organizations.NewListTargetsForPolicyPaginator(d.api, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if d.failed("ListTargetsForPolicy", id, err) {
			break
		}
		for _, t := range page.Targets {
			out = append(out, aws.ToString(t.TargetId))
		}
	}
	sort.Strings(out)
	return out
}

func (d *orgDiscovery) delegatedAdmins(ctx context.Context) []snapshot.DelegatedAdmin {
	var admins []string
	p := organizations.NewListDelegatedAdministratorsPaginator(d.api, &organizations.ListDelegatedAdministratorsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if d.failed("ListDelegatedAdministrators", "", err) {
			return nil
		}
		for _, a := range page.DelegatedAdministrators {
			admins = append(admins, aws.ToString(a.Id))
		}
	}
	var mu sync.Mutex
	var out []snapshot.DelegatedAdmin
	d.s.Fan(ctx, len(admins), func(ctx context.Context, i int) {
		p := organizations.NewListDelegatedServicesForAccountPaginator(d.api, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(admins[i])})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if d.failed("ListDelegatedServicesForAccount", admins[i], err) {
				return
			}
			mu.Lock()
			for _, s := range page.DelegatedServices {
				out = append(out, snapshot.DelegatedAdmin{AccountID: admins[i], ServicePrincipal: aws.ToString(s.ServicePrincipal)})
			}
			mu.Unlock()
		}
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].ServicePrincipal != out[j].ServicePrincipal {
			return out[i].ServicePrincipal < out[j].ServicePrincipal
		}
		return out[i].AccountID < out[j].AccountID
	})
	return out
}

func (d *orgDiscovery) trustedServices(ctx context.Context) []string {
	var out []string
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(d.api, &organizations.ListAWSServiceAccessForOrganizationInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if d.failed("ListAWSServiceAccessForOrganization", "", err) {
			return nil
		}
		for _, s := range page.EnabledServicePrincipals {
			out = append(out, aws.ToString(s.ServicePrincipal))
		}
	}
	sort.Strings(out)
	return out
}
