package controls

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// TestApplyIAMRoles converges the support and audit roles on the emulator.
// A support role someone made is adopted; an audit role of the baseline's
// name that trusts the wrong account is made to trust the security account
// alone.
func TestApplyIAMRoles(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	sec, work := env.Org.AccountID("security"), env.Org.AccountID("workload")
	secIAM := iam.NewFromConfig(env.Config("security", "us-east-1"))
	createRole(t, secIAM, "aws-support", sec, "AWSSupportAccess")
	workIAM := iam.NewFromConfig(env.Config("workload", "us-east-1"))
	createRole(t, workIAM, auditRole(env.Settings), env.Org.AccountID("management"), "ReadOnlyAccess")

	p := env.Converge(t, "iam.support-role", "iam.audit-role")
	if c := applytest.Changes(p, "iam.support-role|"+sec); len(c) != 0 {
		t.Fatalf("the security account's own support role is not adopted: %+v", c)
	}
	if n := len(applytest.Changes(p, "iam.support-role")); n != 4 {
		t.Fatalf("%d support roles planned, want 4", n)
	}
	if c := applytest.Changes(p, "iam.audit-role|"+work); len(c) != 1 || c[0].Action != catalog.Update {
		t.Fatalf("workload audit role: %+v, want an update", c)
	}

	role, err := workIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(auditRole(env.Settings))})
	if err != nil {
		t.Fatal(err)
	}
	accounts, others, err := trustedPrincipals(decodedDocument(t, role.Role.AssumeRolePolicyDocument))
	if err != nil || !slices.Equal(accounts, []string{sec}) || len(others) != 0 {
		t.Fatalf("audit role trusts %v %v (%v), want the security account alone", accounts, others, err)
	}
	att, err := workIAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(auditRole(env.Settings))})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range att.AttachedPolicies {
		names = append(names, aws.ToString(a.PolicyName))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess"}) {
		t.Fatalf("audit role policies: %v", names)
	}
}

func createRole(t *testing.T, c *iam.Client, name, trusted, policy string) {
	t.Helper()
	ctx := context.Background()
	trust := roleSpec{Trusted: []string{trusted}}.trust("aws")
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/" + policy)}); err != nil {
		t.Fatal(err)
	}
}

// decodedDocument undoes the URL encoding IAM gives policy documents.
func decodedDocument(t *testing.T, doc *string) string {
	t.Helper()
	d, err := url.PathUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
