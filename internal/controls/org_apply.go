package controls

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// How apply settles the organization's structure, from the management
// account: every member account tagged with the category baseline.yaml (or
// its role) gives it, the OUs baseline.yaml names for categories, accounts
// left in the root moved into their category's OU, and the security services
// delegated to the security account.
//
// Several controls want the same writes: org.security-account fails until
// its account is tagged and holds the delegations, which org.accounts-categorized
// and org.delegated-admins also plan. Each write has one owner, the more
// specific control when it takes part in the plan, so that a full plan
// writes once and a plan of one control still converges.

// The ops of the organization-structure controls.
const (
	opTagCategory      = "tag-category"
	opCreateOU         = "create-ou"
	opMoveAccount      = "move-account"
	opTrustedAccess    = "trusted-access"
	opRegisterAdmin    = "register-delegated-admin"
	opGuardDutyAdmin   = "guardduty-admin"
	opSecurityHubAdmin = "securityhub-admin"
)

// categoryTag is the tag that gives an account its category (the After of
// opTagCategory).
type categoryTag struct {
	AccountID string `json:"account_id"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

// orgUnit is an OU under the root (the After of opCreateOU).
type orgUnit struct {
	ParentID string `json:"parent_id"`
	Name     string `json:"name"`
}

// accountMove takes an account from the root into its category's OU, which
// the op finds by name: it may be created by the same apply (the After of
// opMoveAccount).
type accountMove struct {
	AccountID string `json:"account_id"`
	RootID    string `json:"root_id"`
	OU        string `json:"ou"`
}

// trustedService is a service with trusted access to the organization (the
// After of opTrustedAccess).
type trustedService struct {
	ServicePrincipal string `json:"service_principal"`
}

// delegation makes an account a service's delegated administrator (the
// After of the delegation ops).
type delegation struct {
	Service          string `json:"service"`
	ServicePrincipal string `json:"service_principal"`
	AccountID        string `json:"account_id"`
}

func categoryResource(account string) string  { return "account/" + account + "/category" }
func parentResource(account string) string    { return "account/" + account + "/parent" }
func ouResource(name string) string           { return "ou/" + name }
func trustedResource(principal string) string { return "trusted-access/" + principal }

// delegationResource names the delegation of a service principal in the
// management account; controls that need it done first (an aggregator, an
// organization analyzer) depend on it.
func delegationResource(principal string) string { return "delegated-admin/" + principal }

// ---- Categories and OUs -------------------------------------------------------

// planCategories tags, creates and moves what org.accounts-categorized owns.
func planCategories(p *catalog.Planner) {
	o, root := orgRootOf(p)
	if o == nil {
		return
	}
	ous := planCategoryOUs(p, o, root.ID)
	roles := roleCategories(p)
	for _, a := range activeMembers(o) {
		if err := p.FailedOn("organizations:ListTagsForResource", a.ID); err != nil {
			p.Here().Block(categoryResource(a.ID), "cannot plan: %s", catalog.DescribeReadError(err))
			continue
		}
		category := planCategoryTag(p, a.ID, a.Category, desiredCategory(p.Settings, roles, a.ID, a.Name))
		switch ou := ous[category]; {
		case category == "" && a.ParentID == root.ID:
			ref := a.Name
			if ref == "" {
				ref = a.ID
			}
			p.Here().Block(categoryResource(a.ID), "account %s is in the root with no category: set organization.accounts.%s.category in baseline.yaml",
				orgAccountLabel(a), ref)
		case ou != "" && a.ParentID == root.ID:
			// Only from the root: an account someone put in an OU stays there.
			p.Here().Update(opMoveAccount, parentResource(a.ID), map[string]string{"ou_path": "/"},
				accountMove{AccountID: a.ID, RootID: root.ID, OU: ou}, p.Here().Ref(ouResource(ou)))
		}
	}
}

// planCategoryOUs creates the category OUs baseline.yaml names that are
// not under the root yet, and returns the OU name of each category.
func planCategoryOUs(p *catalog.Planner, o *snapshot.Organization, root string) map[string]string {
	planned := map[string]bool{}
	for _, category := range catalog.SortedKeys(p.Settings.CategoryOUs) {
		name := p.Settings.CategoryOUs[category]
		exists := slices.ContainsFunc(o.OUs, func(ou snapshot.OU) bool { return ou.ParentID == root && strings.EqualFold(ou.Name, name) })
		if !exists && !planned[strings.ToLower(name)] {
			planned[strings.ToLower(name)] = true
			p.Here().Create(opCreateOU, ouResource(name), orgUnit{ParentID: root, Name: name})
		}
	}
	return p.Settings.CategoryOUs
}

// roleCategories maps the designated accounts to the category of their
// role; security wins when one account has several roles.
func roleCategories(p *catalog.Planner) map[string]string {
	out := map[string]string{}
	for _, role := range []string{"shared", "log-archive", "security"} {
		if a := p.Designated(role); a != nil {
			out[a.AccountID] = role
		}
	}
	return out
}

// desiredCategory is the category baseline.yaml gives an account, else the
// one its role implies; "" when neither says.
func desiredCategory(s *catalog.Settings, roles map[string]string, id, name string) string {
	if c := s.CategoryOf(id, name); c != "" {
		return c
	}
	return roles[id]
}

// planCategoryTag tags the account with category want when its tags and OU
// say otherwise, and returns the category it has once applied.
func planCategoryTag(p *catalog.Planner, account, current, want string) string {
	if want == "" || want == current {
		return current
	}
	var tags map[string]string
	if a := p.Snap.Account(account); a != nil {
		tags = a.Tags
	}
	// The baseline's own key outranks category when reading categories.
	key := "category"
	if _, ok := tags["baseline:category"]; ok {
		key = "baseline:category"
	}
	after := categoryTag{AccountID: account, Key: key, Value: want}
	if old, ok := tags[key]; ok {
		p.Here().Update(opTagCategory, categoryResource(account), categoryTag{AccountID: account, Key: key, Value: old}, after)
	} else {
		p.Here().Create(opTagCategory, categoryResource(account), after)
	}
	return want
}

// planRoleTag tags a designated account with its category, unless
// org.accounts-categorized, which tags every account, takes part in the plan.
func planRoleTag(p *catalog.Planner, a *snapshot.Account) {
	if !p.Enabled("org.accounts-categorized") {
		planCategoryTag(p, a.AccountID, a.Category, desiredCategory(p.Settings, roleCategories(p), a.AccountID, a.Name))
	}
}

// blockFailing records the control's failures as blocks, and reports
// whether there were any: what they ask for (designating an account) is a
// decision apply leaves to a person.
func blockFailing(p *catalog.Planner) bool {
	failing := p.Failing()
	for _, f := range failing {
		p.Here().Block(f.Resource, "%s", f.Reason)
	}
	return len(failing) > 0
}

// ---- Delegated administrators -----------------------------------------------

// orgToPlan returns the organization for planning the delegations, or nil
// after blocking on why the check cannot pass (no organization, its tree
// not read).
func orgToPlan(p *catalog.Planner) *snapshot.Organization {
	if o := p.Org(); o != nil && o.Member && o.Full {
		return o
	}
	blockFailing(p)
	return nil
}

// planDelegations delegates every security service the security account
// does not administer to it, after giving the service trusted access. A
// service administered by another account is left alone: moving it means
// deregistering that account, which apply never does.
func planDelegations(p *catalog.Planner, o *snapshot.Organization, sec *snapshot.Account) {
	w := p.Here()
	if unread := readErrorsOf(p.Snap, "", "organizations:ListDelegatedServicesForAccount"); len(unread) > 0 {
		w.Block("", "cannot plan the delegated administrators: %s", listOf(unread))
		return
	}
	for _, svc := range securityServices {
		principal := svc.principals[0]
		var holders []string
		for _, d := range o.DelegatedAdmins {
			if slices.Contains(svc.principals, d.ServicePrincipal) && !slices.Contains(holders, d.AccountID) {
				holders = append(holders, d.AccountID)
			}
		}
		switch {
		case slices.Contains(holders, sec.AccountID):
		case len(holders) > 0:
			w.Block(delegationResource(principal), "%s is administered by %s, not by the security account %s: deregister it there "+
				"first (apply never removes a delegated administrator)", svc.name, strings.Join(holders, ", "), accountLabel(sec))
		default:
			var deps []string
			if !slices.Contains(o.TrustedServices, principal) {
				w.Create(opTrustedAccess, trustedResource(principal), trustedService{ServicePrincipal: principal})
				deps = append(deps, w.Ref(trustedResource(principal)))
			}
			w.Create(delegationOp(principal), delegationResource(principal),
				delegation{Service: svc.name, ServicePrincipal: principal, AccountID: sec.AccountID}, deps...)
		}
	}
}

// delegationOp is how a service is delegated: GuardDuty and Security Hub
// through their own APIs, which also set up the service's side; the others
// through Organizations.
func delegationOp(principal string) string {
	switch principal {
	case "guardduty.amazonaws.com":
		return opGuardDutyAdmin
	case "securityhub.amazonaws.com":
		return opSecurityHubAdmin
	}
	return opRegisterAdmin
}

// ---- Ops ------------------------------------------------------------------------

var categoryOps = map[string]catalog.Op{
	opTagCategory: decodedOp(func(ctx context.Context, cfg aws.Config, t categoryTag) error {
		return tagCategory(ctx, organizations.NewFromConfig(cfg), t)
	}),
}

var ouOps = map[string]catalog.Op{
	opCreateOU: decodedOp(func(ctx context.Context, cfg aws.Config, u orgUnit) error {
		return createOU(ctx, organizations.NewFromConfig(cfg), u)
	}),
	opMoveAccount: decodedOp(func(ctx context.Context, cfg aws.Config, m accountMove) error {
		return moveAccount(ctx, organizations.NewFromConfig(cfg), m)
	}),
}

var delegationOps = map[string]catalog.Op{
	opTrustedAccess: decodedOp(func(ctx context.Context, cfg aws.Config, t trustedService) error {
		return enableTrustedAccess(ctx, organizations.NewFromConfig(cfg), t)
	}),
	opRegisterAdmin: decodedOp(func(ctx context.Context, cfg aws.Config, d delegation) error {
		return registerAdmin(ctx, organizations.NewFromConfig(cfg), d)
	}),
	opGuardDutyAdmin: decodedOp(func(ctx context.Context, cfg aws.Config, d delegation) error {
		return designateGuardDuty(ctx, guardduty.NewFromConfig(cfg), d)
	}),
	opSecurityHubAdmin: decodedOp(func(ctx context.Context, cfg aws.Config, d delegation) error {
		return designateSecurityHub(ctx, securityhub.NewFromConfig(cfg), d)
	}),
}

type orgTagger interface {
	TagResource(context.Context, *organizations.TagResourceInput, ...func(*organizations.Options)) (*organizations.TagResourceOutput, error)
}

func tagCategory(ctx context.Context, api orgTagger, t categoryTag) error {
	_, err := api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(t.AccountID),
		Tags: []orgtypes.Tag{{Key: aws.String(t.Key), Value: aws.String(t.Value)}}})
	return retryOn(err, orgSettlingCodes...)
}

type ouWriter interface {
	organizations.ListOrganizationalUnitsForParentAPIClient
	CreateOrganizationalUnit(context.Context, *organizations.CreateOrganizationalUnitInput, ...func(*organizations.Options)) (*organizations.CreateOrganizationalUnitOutput, error)
}

func orgTag(k, v *string) orgtypes.Tag { return orgtypes.Tag{Key: k, Value: v} }

// createOU creates the OU unless one of that name is already under the
// parent (a re-run, or someone else's).
func createOU(ctx context.Context, api ouWriter, u orgUnit) error {
	id, err := ouByName(ctx, api, u.ParentID, u.Name)
	if err != nil || id != "" {
		return retryOn(err, orgSettlingCodes...)
	}
	_, err = api.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(u.ParentID),
		Name: aws.String(u.Name), Tags: managedTagList(orgTag)})
	if hasCode(err, "DuplicateOrganizationalUnitException") {
		return nil
	}
	return retryOn(err, orgSettlingCodes...)
}

// ouByName returns the id of the OU of that name under parent, "" for none.
func ouByName(ctx context.Context, api organizations.ListOrganizationalUnitsForParentAPIClient, parent, name string) (string, error) {
	p := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, ou := range page.OrganizationalUnits {
			if strings.EqualFold(aws.ToString(ou.Name), name) {
				return aws.ToString(ou.Id), nil
			}
		}
	}
	return "", nil
}

type accountMover interface {
	organizations.ListOrganizationalUnitsForParentAPIClient
	organizations.ListParentsAPIClient
	MoveAccount(context.Context, *organizations.MoveAccountInput, ...func(*organizations.Options)) (*organizations.MoveAccountOutput, error)
}

// moveAccount moves the account from the root into the OU. An account
// already there was moved by an earlier run; one moved elsewhere since the
// plan is left where it is.
func moveAccount(ctx context.Context, api accountMover, m accountMove) error {
	ou, err := ouByName(ctx, api, m.RootID, m.OU)
	switch {
	case err != nil:
		return retryOn(err, orgSettlingCodes...)
	case ou == "":
		return catalog.Retryable(fmt.Errorf("OU %s is not under the root yet", m.OU))
	}
	out, err := api.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(m.AccountID)})
	if err != nil {
		return retryOn(err, orgSettlingCodes...)
	}
	if len(out.Parents) != 1 {
		return fmt.Errorf("account %s has %d parents", m.AccountID, len(out.Parents))
	}
	switch parent := aws.ToString(out.Parents[0].Id); parent {
	case ou:
		return nil
	case m.RootID:
	default:
		return fmt.Errorf("account %s was moved to %s since the plan: plan again", m.AccountID, parent)
	}
	_, err = api.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(m.AccountID),
		SourceParentId: aws.String(m.RootID), DestinationParentId: aws.String(ou)})
	return retryOn(err, orgSettlingCodes...)
}

type serviceAccessEnabler interface {
	EnableAWSServiceAccess(context.Context, *organizations.EnableAWSServiceAccessInput, ...func(*organizations.Options)) (*organizations.EnableAWSServiceAccessOutput, error)
}

// enableTrustedAccess is idempotent in AWS: enabling it again changes nothing.
func enableTrustedAccess(ctx context.Context, api serviceAccessEnabler, t trustedService) error {
	_, err := api.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(t.ServicePrincipal)})
	return retryOn(err, orgSettlingCodes...)
}

type adminRegistrar interface {
	RegisterDelegatedAdministrator(context.Context, *organizations.RegisterDelegatedAdministratorInput, ...func(*organizations.Options)) (*organizations.RegisterDelegatedAdministratorOutput, error)
}

func registerAdmin(ctx context.Context, api adminRegistrar, d delegation) error {
	_, err := api.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(d.AccountID),
		ServicePrincipal: aws.String(d.ServicePrincipal)})
	if hasCode(err, "AccountAlreadyRegisteredException") {
		return nil
	}
	return retryOn(err, orgSettlingCodes...)
}

type guardDutyAdmins interface {
	guardduty.ListOrganizationAdminAccountsAPIClient
	EnableOrganizationAdminAccount(context.Context, *guardduty.EnableOrganizationAdminAccountInput, ...func(*guardduty.Options)) (*guardduty.EnableOrganizationAdminAccountOutput, error)
}

// designateGuardDuty makes the account GuardDuty's administrator in the
// home region, which registers it in Organizations.
func designateGuardDuty(ctx context.Context, api guardDutyAdmins, d delegation) error {
	return designateOnce(ctx, d.AccountID, func(ctx context.Context) ([]string, error) {
		var out []string
		p := guardduty.NewListOrganizationAdminAccountsPaginator(api, &guardduty.ListOrganizationAdminAccountsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, a := range page.AdminAccounts {
				if a.AdminStatus == gdtypes.AdminStatusEnabled {
					out = append(out, aws.ToString(a.AdminAccountId))
				}
			}
		}
		return out, nil
	}, func(ctx context.Context) error {
		_, err := api.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(d.AccountID)})
		return err
	})
}

type securityHubAdmins interface {
	securityhub.ListOrganizationAdminAccountsAPIClient
	EnableOrganizationAdminAccount(context.Context, *securityhub.EnableOrganizationAdminAccountInput, ...func(*securityhub.Options)) (*securityhub.EnableOrganizationAdminAccountOutput, error)
}

// designateSecurityHub makes the account Security Hub's administrator,
// which registers it in Organizations.
func designateSecurityHub(ctx context.Context, api securityHubAdmins, d delegation) error {
	return designateOnce(ctx, d.AccountID, func(ctx context.Context) ([]string, error) {
		var out []string
		p := securityhub.NewListOrganizationAdminAccountsPaginator(api, &securityhub.ListOrganizationAdminAccountsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, a := range page.AdminAccounts {
				if a.Status == shtypes.AdminStatusEnabled {
					out = append(out, aws.ToString(a.AccountId))
				}
			}
		}
		return out, nil
	}, func(ctx context.Context) error {
		_, err := api.EnableOrganizationAdminAccount(ctx, &securityhub.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(d.AccountID)})
		return err
	})
}

// designateOnce enables account as a service's organization administrator
// unless the service lists it already: the services refuse to designate
// the same account twice, so a re-run must look first.
func designateOnce(ctx context.Context, account string, admins func(context.Context) ([]string, error), enable func(context.Context) error) error {
	have, err := admins(ctx)
	switch {
	case err != nil:
		return err
	case slices.Contains(have, account):
		return nil
	}
	return enable(ctx)
}
