package controls

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// How apply keeps Organizations policies (the SCP guardrails, the AI-services
// opt-out) at the root: enable the policy type, create or update the policy
// by its name, attach it. Policies have no name-keyed API, so every op looks
// the policy up by name first: a re-run finds what an interrupted run made.

// The ops of the policy controls.
const (
	opPolicyType = "policy-type"
	opPolicy     = "policy"
	opAttach     = "attach"
)

// orgPolicy is a policy as apply writes it (the After of opPolicy).
type orgPolicy struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Content     string `json:"content"`
}

// policyAttachment is a policy attached to a root, OU or account (the After
// of opAttach).
type policyAttachment struct {
	PolicyName string `json:"policy_name"`
	PolicyType string `json:"policy_type"`
	TargetID   string `json:"target_id"`
}

// policyTypeOn is a policy type enabled on a root (the After of opPolicyType).
type policyTypeOn struct {
	RootID     string `json:"root_id"`
	PolicyType string `json:"policy_type"`
}

// policyResource names a policy in plans: "scp/baseline-guardrails".
func policyResource(typ, name string) string {
	kind := map[string]string{scpType: "scp", aiOptOutType: "ai-opt-out-policy"}[typ]
	return kind + "/" + name
}

func attachmentResource(typ, name, target string) string {
	return policyResource(typ, name) + "/attachment/" + target
}

func policyTypeResource(root, typ string) string { return "root/" + root + "/policy-type/" + typ }

// orgRootOf returns the organization and its root for planning, or nil after
// saying why there is nothing to plan on (a missing tree is an ERROR the
// planner turns into a block).
func orgRootOf(p *catalog.Planner) (*snapshot.Organization, *snapshot.Root) {
	o := orgTree(p.Eval)
	switch {
	case o == nil:
		if org := p.Org(); org != nil && !org.Member {
			p.Here().Block("", "the account is in no AWS Organization: create one first (see org.member)")
		}
		return nil, nil
	case len(o.Roots) != 1:
		p.Here().Block("", "the organization has %d roots, not one: nothing is attached until the tree reads normally", len(o.Roots))
		return nil, nil
	}
	return o, &o.Roots[0]
}

// findPolicy returns the policy of type typ named name, or nil.
func findPolicy(o *snapshot.Organization, typ, name string) *snapshot.Policy {
	for i := range o.Policies {
		if p := &o.Policies[i]; p.Type == typ && p.Name == name {
			return p
		}
	}
	return nil
}

// managedPolicy is a policy apply keeps attached at the root: what it should
// hold, what the snapshot shows, and why it cannot be set up when it cannot.
type managedPolicy struct {
	want    orgPolicy
	current *snapshot.Policy // nil when it does not exist
	root    string
	blocked string
}

func newManagedPolicy(o *snapshot.Organization, root string, want orgPolicy) *managedPolicy {
	m := &managedPolicy{want: want, current: findPolicy(o, want.Type, want.Name), root: root}
	if m.current != nil && m.current.Content == "" {
		m.blocked = fmt.Sprintf("the content of policy %s (%s) could not be read (organizations:DescribePolicy): plan again with that permission",
			want.Name, m.current.ID)
	}
	return m
}

func (m *managedPolicy) resource() string { return policyResource(m.want.Type, m.want.Name) }

// write reports whether the policy must be created or its content replaced;
// content is compared as JSON, so spacing and key order are not drift.
func (m *managedPolicy) write() bool {
	return m.current == nil || !sameJSON(m.current.Content, m.want.Content)
}

func (m *managedPolicy) attach() bool {
	return m.current == nil || !slices.Contains(m.current.Targets, m.root)
}

// record plans the policy's changes in w, after its policy type is turned on.
func (m *managedPolicy) record(w catalog.Where) {
	if m.blocked != "" {
		w.Block(m.resource(), "%s", m.blocked)
		return
	}
	typeRef := w.Ref(policyTypeResource(m.root, m.want.Type))
	switch {
	case m.current == nil:
		w.Create(opPolicy, m.resource(), m.want, typeRef)
	case m.write():
		before := m.want
		before.Content = m.current.Content
		w.Update(opPolicy, m.resource(), before, m.want, typeRef)
	}
	if m.attach() {
		w.Create(opAttach, attachmentResource(m.want.Type, m.want.Name, m.root),
			policyAttachment{PolicyName: m.want.Name, PolicyType: m.want.Type, TargetID: m.root}, w.Ref(m.resource()), typeRef)
	}
}

// enablePolicyType plans turning typ on at the root when it is off.
func enablePolicyType(w catalog.Where, root *snapshot.Root, typ string) {
	if !slices.Contains(root.EnabledPolicyTypes, typ) {
		w.Create(opPolicyType, policyTypeResource(root.ID, typ), policyTypeOn{RootID: root.ID, PolicyType: typ})
	}
}

func sameJSON(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

// orgPolicyOps are the ops of every policy control.
var orgPolicyOps = map[string]catalog.Op{
	opPolicyType: decodedOp(func(ctx context.Context, cfg aws.Config, on policyTypeOn) error {
		return enableType(ctx, organizations.NewFromConfig(cfg), on)
	}),
	opPolicy: decodedOp(func(ctx context.Context, cfg aws.Config, want orgPolicy) error {
		return putPolicy(ctx, organizations.NewFromConfig(cfg), want)
	}),
	opAttach: decodedOp(func(ctx context.Context, cfg aws.Config, a policyAttachment) error {
		return attachPolicy(ctx, organizations.NewFromConfig(cfg), a)
	}),
}

type policyTypeEnabler interface {
	EnablePolicyType(context.Context, *organizations.EnablePolicyTypeInput, ...func(*organizations.Options)) (*organizations.EnablePolicyTypeOutput, error)
}

func enableType(ctx context.Context, api policyTypeEnabler, on policyTypeOn) error {
	_, err := api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(on.RootID),
		PolicyType: orgtypes.PolicyType(on.PolicyType)})
	if hasCode(err, "PolicyTypeAlreadyEnabledException") {
		return nil
	}
	return retryOn(err, orgSettlingCodes...)
}

type policyWriter interface {
	organizations.ListPoliciesAPIClient
	CreatePolicy(context.Context, *organizations.CreatePolicyInput, ...func(*organizations.Options)) (*organizations.CreatePolicyOutput, error)
	UpdatePolicy(context.Context, *organizations.UpdatePolicyInput, ...func(*organizations.Options)) (*organizations.UpdatePolicyOutput, error)
}

// putPolicy creates the policy, or replaces the content of the one of that
// name: an update, or the re-run of a create that already happened.
func putPolicy(ctx context.Context, api policyWriter, want orgPolicy) error {
	id, err := policyID(ctx, api, want.Type, want.Name)
	if err != nil {
		return retryOn(err, orgSettlingCodes...)
	}
	if id != "" {
		_, err = api.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(want.Content),
			Description: aws.String(want.Description)})
		return retryOn(err, orgSettlingCodes...)
	}
	_, err = api.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(want.Name), Type: orgtypes.PolicyType(want.Type),
		Content: aws.String(want.Content), Description: aws.String(want.Description), Tags: managedTagList(orgTag)})
	return retryOn(err, orgSettlingCodes...)
}

type policyAttacher interface {
	organizations.ListPoliciesAPIClient
	AttachPolicy(context.Context, *organizations.AttachPolicyInput, ...func(*organizations.Options)) (*organizations.AttachPolicyOutput, error)
}

func attachPolicy(ctx context.Context, api policyAttacher, a policyAttachment) error {
	id, err := policyID(ctx, api, a.PolicyType, a.PolicyName)
	switch {
	case err != nil:
		return retryOn(err, orgSettlingCodes...)
	case id == "":
		// Created by the change this one waits on, not listed yet.
		return catalog.Retryable(fmt.Errorf("policy %s is not listed yet", a.PolicyName))
	}
	_, err = api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(a.TargetID)})
	if hasCode(err, "DuplicatePolicyAttachmentException") {
		return nil
	}
	return retryOn(err, orgSettlingCodes...)
}

// policyID finds a policy by type and name ("" when there is none).
func policyID(ctx context.Context, api organizations.ListPoliciesAPIClient, typ, name string) (string, error) {
	p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyType(typ)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, s := range page.Policies {
			if aws.ToString(s.Name) == name {
				return aws.ToString(s.Id), nil
			}
		}
	}
	return "", nil
}

// orgSettlingCodes are errors of a write that follows another too closely: a
// policy type still being enabled, another change of the same root under
// way, a policy created but not yet listed.
var orgSettlingCodes = []string{"PolicyTypeNotEnabledException", "ConcurrentModificationException", "DuplicatePolicyException"}
