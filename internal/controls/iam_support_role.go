package controls

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.support-role",
	Title:    "A role exists for managing incidents with AWS Support",
	Stage:    "F5",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Low,
	CIS:      []string{"2.17"},
	Rationale: "During an incident someone must open and follow AWS Support cases without being handed administrator rights; " +
		"a role with AWSSupportAccess makes that a least-privilege, auditable step prepared in advance.",
	Steps: "Create a role trusted by the identity or security account and attach AWSSupportAccess.\n" +
		"CLI: aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json && " +
		"aws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess",
	Reads: authDetailsReads,
	Check: func(e *catalog.Eval) {
		s := iamOf(e)
		if s == nil {
			return
		}
		var roles []string
		for _, r := range s.Roles {
			for _, p := range r.AttachedPolicies {
				if isAWSManaged(p, "AWSSupportAccess") {
					roles = append(roles, r.Name)
				}
			}
		}
		if len(roles) == 0 {
			e.Fail("", "no role has the AWSSupportAccess policy attached")
			return
		}
		e.Pass("", "AWSSupportAccess is attached to role %s", listOf(roles))
	},
	Fix: &catalog.Fix{
		// The role trusts its own account, whose administrators decide who
		// may assume it (SSO permission sets, break-glass users).
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 {
				return
			}
			planRole(p, roleSpec{Name: supportRole(p.Settings), Trusted: []string{p.Account.AccountID},
				Policies: []string{awsPolicyARN(p.Settings, "AWSSupportAccess")}})
		},
		Ops: map[string]catalog.Op{"role": roleOp},
	},
})

// roleSpec is a role apply creates: who may assume it (account ids, through
// their root principal) and the managed policies attached to it.
type roleSpec struct {
	Name     string   `json:"name"`
	Trusted  []string `json:"trusted"`
	Policies []string `json:"policies"`
}

// planRole records the creation of role want, or the update of the role of
// that name that exists but does not serve (an earlier apply's, changed by hand).
func planRole(p *catalog.Planner, want roleSpec) {
	resource := "role/" + want.Name
	i := slices.IndexFunc(p.Account.Global.IAM.Roles, func(r snapshot.Role) bool { return r.Name == want.Name })
	if i < 0 {
		p.Here().Create("role", resource, want)
		return
	}
	r := p.Account.Global.IAM.Roles[i]
	accounts, others, _ := trustedPrincipals(r.TrustPolicy)
	p.Here().Update("role", resource, roleSpec{Name: r.Name, Trusted: append(accounts, others...), Policies: r.AttachedPolicies}, want)
}

// awsPolicyARN is the ARN of an AWS managed policy in the home partition.
func awsPolicyARN(s *catalog.Settings, name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", partitionOf(s.HomeRegion), name)
}

func roleOp(ctx context.Context, cfg aws.Config, ch *catalog.Change) error {
	want, err := catalog.Decode[roleSpec](ch.After)
	if err != nil {
		return err
	}
	return ensureRole(ctx, iam.NewFromConfig(cfg), partitionOf(cfg.Region), want)
}

type roleWriter interface {
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	AttachRolePolicy(context.Context, *iam.AttachRolePolicyInput, ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
}

// ensureRole creates the role, or makes the existing one's trust exactly
// want's, then attaches want's policies (attaching twice is a no-op in IAM).
// Policies already attached stay: apply never takes permissions away.
func ensureRole(ctx context.Context, c roleWriter, partition string, want roleSpec) error {
	trust, err := trustPolicy(partition, want.Trusted)
	if err != nil {
		return err
	}
	var tags []iamtypes.Tag
	for k, v := range catalog.ManagedTags(nil) {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(want.Name), AssumeRolePolicyDocument: aws.String(trust), Tags: tags})
	if hasCode(err, "EntityAlreadyExists") {
		_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(want.Name), PolicyDocument: aws.String(trust)})
	}
	if err != nil {
		return err
	}
	for _, arn := range want.Policies {
		_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(want.Name), PolicyArn: aws.String(arn)})
		if hasCode(err, "NoSuchEntity") {
			return catalog.Retryable(err) // the new role is not visible everywhere yet
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// trustPolicy lets the root principal of each account assume the role.
func trustPolicy(partition string, accounts []string) (string, error) {
	principals := make([]string, len(accounts))
	for i, a := range accounts {
		principals[i] = fmt.Sprintf("arn:%s:iam::%s:root", partition, a)
	}
	b, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect": "Allow", "Principal": map[string]any{"AWS": principals}, "Action": "sts:AssumeRole",
		}},
	})
	return string(b), err
}
