package controls_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

func TestApplyConfigAggregator(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	sec, mgmt := env.Org.AccountID("security"), env.Org.AccountID("management")

	// The aggregator needs the security account to administer Config.
	p := env.Plan(t, "config.aggregator")
	if !p.Empty() || len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0].Reason, "apply org.delegated-admins with it") {
		t.Fatalf("without the delegation: changes %+v, blocked %+v", p.Changes, p.Blocked)
	}
	// Planned with the delegation, it waits for it.
	p = env.Plan(t, "config.aggregator", "org.delegated-admins")
	agg := applytest.Changes(p, "config-aggregator/baseline-organization")
	if len(agg) != 1 || !slices.Contains(agg[0].DependsOn, catalog.Ref(mgmt, "", "delegated-admin/config.amazonaws.com")) {
		t.Fatalf("aggregator change: %+v", agg)
	}

	// moto registers Config's delegation only as config-multiaccountsetup.
	if _, err := organizations.NewFromConfig(env.Config("management", "us-east-1")).RegisterDelegatedAdministrator(ctx,
		&organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String("config-multiaccountsetup.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	p = env.Converge(t, "config.aggregator")
	if len(p.Changes) != 2 {
		t.Fatalf("changes %+v, want the role and the aggregator", p.Changes)
	}
	api := configservice.NewFromConfig(env.Config("security", "us-east-1"))
	out, err := api.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{})
	if err != nil || len(out.ConfigurationAggregators) != 1 {
		t.Fatalf("aggregators %+v %v", out, err)
	}
	src := out.ConfigurationAggregators[0].OrganizationAggregationSource
	role := "arn:aws:iam::" + sec + ":role/baseline-config-aggregator"
	if aws.ToString(out.ConfigurationAggregators[0].ConfigurationAggregatorName) != "baseline-organization" || src == nil ||
		aws.ToString(src.RoleArn) != role || !src.AllAwsRegions {
		t.Fatalf("aggregator %+v", out.ConfigurationAggregators[0])
	}
	pols, err := iam.NewFromConfig(env.Config("security", "us-east-1")).ListAttachedRolePolicies(ctx,
		&iam.ListAttachedRolePoliciesInput{RoleName: aws.String("baseline-config-aggregator")})
	if err != nil || len(pols.AttachedPolicies) != 1 || aws.ToString(pols.AttachedPolicies[0].PolicyName) != "AWSConfigRoleForOrganizations" {
		t.Fatalf("role policies %+v %v", pols, err)
	}

	// Narrowed to one region by hand: widened again, keeping its role.
	if _, err := api.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("baseline-organization"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(role), AwsRegions: []string{"us-east-1"}}}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, "config.aggregator")
	if len(drift.Changes) != 1 || drift.Changes[0].Action != catalog.Update || drift.Changes[0].Resource != "config-aggregator/baseline-organization" {
		t.Fatalf("drift plan %+v", drift.Changes)
	}
	env.Apply(t, drift)
	if again := env.Plan(t, "config.aggregator"); !again.Empty() {
		t.Fatalf("after widening: %+v", again.Changes)
	}
}
