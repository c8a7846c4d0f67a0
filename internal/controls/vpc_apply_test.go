package controls_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"

	"github.com/secure-baseline/baseline/internal/apply"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
)

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// vpcControls are the network controls apply sets up, planned together as
// in a real plan: logs and the default security group are left to default
// VPCs that the same plan deletes.
var vpcControls = []string{"vpc.no-default-vpc", "vpc.default-sg-closed", "vpc.flow-logs", "vpc.dns-query-logs"}

// vpcIn is the EC2 API of one account and region of the test organization.
func vpcIn(t *testing.T, env *applytest.Env, account, region string) *ec2.Client {
	t.Helper()
	return ec2.NewFromConfig(env.Config(account, region))
}

func defaultVPCs(t *testing.T, api *ec2.Client) []string {
	t.Helper()
	out, err := api.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{
		Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range out.Vpcs {
		ids = append(ids, aws.ToString(v.VpcId))
	}
	return ids
}

// launchIn starts an instance in the region's default VPC and returns the VPC.
func launchIn(t *testing.T, api *ec2.Client) string {
	t.Helper()
	vpc := defaultVPCs(t, api)[0]
	if _, err := api.RunInstances(context.Background(), &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"),
		InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	return vpc
}

func TestApplyNetwork(t *testing.T) {
	env := applytest.NewOrg(t)
	ctx := context.Background()
	work := vpcIn(t, env, "workload", "us-east-1")
	out, err := work.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	app := aws.ToString(out.Vpc.VpcId)

	p := env.Converge(t, vpcControls...)
	if n := len(applytest.Changes(p, "vpc.no-default-vpc", "delete-vpc")); n != 10 {
		t.Errorf("%d default VPCs deleted, want 5 accounts × 2 regions", n)
	}
	// Only the VPC that stays gets logs and a closed default group.
	for _, op := range []string{"vpc.flow-logs|", "vpc.dns-query-logs|", "vpc.default-sg-closed|"} {
		for _, c := range applytest.Changes(p, op) {
			if c.AccountID != env.Org.AccountID("workload") || c.Region != "us-east-1" && c.Region != "" {
				t.Errorf("%s planned outside the workload's VPC %s: %s", op, app, c.ID)
			}
		}
	}
	if c := applytest.Changes(p, "vpc.flow-logs", "flow-log/"+app); len(c) != 1 {
		t.Errorf("flow log changes of %s: %v", app, c)
	}
	for _, acct := range []string{"management", "security", "log-archive", "shared-services", "workload"} {
		for _, region := range applytest.Regions {
			if ids := defaultVPCs(t, vpcIn(t, env, acct, region)); len(ids) > 0 {
				t.Errorf("%s %s still has default VPC %v", acct, region, ids)
			}
		}
	}
	assoc, err := route53resolver.NewFromConfig(env.Config("workload", "us-east-1")).ListResolverQueryLogConfigAssociations(ctx,
		&route53resolver.ListResolverQueryLogConfigAssociationsInput{})
	if err != nil || len(assoc.ResolverQueryLogConfigAssociations) != 1 || aws.ToString(assoc.ResolverQueryLogConfigAssociations[0].ResourceId) != app {
		t.Errorf("query logging associations: %+v, %v", assoc, err)
	}
	applytest.NoDuplicates(t, env)

	// Drift: a rule added to the default group is the one change planned.
	groups, err := work.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{app}}, {Name: aws.String("group-name"), Values: []string{"default"}}}})
	if err != nil || len(groups.SecurityGroups) != 1 {
		t.Fatalf("default group of %s: %v", app, err)
	}
	sg := aws.ToString(groups.SecurityGroups[0].GroupId)
	if _, err := work.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sg),
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), CidrIp: aws.String("0.0.0.0/0")}); err != nil {
		t.Fatal(err)
	}
	drift := env.Plan(t, vpcControls...)
	if len(drift.Changes) != 1 {
		t.Fatalf("drift plan: %+v, want the one default group update", drift.Changes)
	}
	c := drift.Changes[0]
	before, after := toJSON(t, c.Before), toJSON(t, c.After)
	if c.Action != catalog.Update || !strings.HasSuffix(c.Resource, "security-group/"+sg) ||
		!strings.Contains(before, `"inbound":["tcp 22 from 0.0.0.0/0"],"outbound":[]`) || !strings.Contains(after, `"inbound":[],"outbound":[]`) {
		t.Fatalf("drift change: %s %s %s → %s", c.Action, c.Resource, before, after)
	}
	env.Apply(t, drift)
	if again := env.Plan(t, vpcControls...); !again.Empty() {
		t.Fatalf("after closing the group again: %+v", again.Changes)
	}
}

// A default VPC holding an instance survives apply, and the plan says why;
// its flow log and query logging are set up since it stays.
func TestApplyKeepsDefaultVPCInUse(t *testing.T) {
	env := applytest.NewOrg(t)
	work := vpcIn(t, env, "workload", "eu-west-1")
	vpc := launchIn(t, work)

	p := env.Plan(t, vpcControls...)
	blocked := slices.IndexFunc(p.Blocked, func(b catalog.Blocked) bool {
		return b.ControlID == "vpc.no-default-vpc" && strings.HasSuffix(b.Resource, "vpc/"+vpc)
	})
	if blocked < 0 || !strings.Contains(p.Blocked[blocked].Reason, "holds 1 network interface (eni-") {
		t.Fatalf("blocked: %+v", p.Blocked)
	}
	if c := applytest.Changes(p, "|"+vpc, "delete"); len(c) > 0 {
		t.Fatalf("the plan deletes part of %s: %v", vpc, c)
	}
	env.Apply(t, p)
	if ids := defaultVPCs(t, work); !slices.Equal(ids, []string{vpc}) {
		t.Fatalf("default VPCs after apply: %v, want %s kept", ids, vpc)
	}
	again := env.Plan(t, vpcControls...)
	if !again.Empty() {
		t.Fatalf("second plan: %+v", again.Changes)
	}
	if !slices.ContainsFunc(again.Blocked, func(b catalog.Blocked) bool { return strings.HasSuffix(b.Resource, "vpc/"+vpc) }) {
		t.Fatalf("second plan no longer says why %s stays: %+v", vpc, again.Blocked)
	}
	logged := []string{"vpc.flow-logs", "vpc.dns-query-logs", "vpc.default-sg-closed"}
	res := audittest.Audit(t, env.Collect(t, logged...), env.Settings, logged...)
	for _, f := range res.Findings {
		if f.Status != catalog.StatusPass {
			t.Errorf("%s %s %s %s: %s", f.ControlID, f.AccountID, f.Region, f.Status, f.Reason)
		}
	}
}

// An instance launched between plan and apply stops the deletion: every
// step looks for network interfaces again.
func TestApplyRefusesDefaultVPCInUseSincePlan(t *testing.T) {
	env := applytest.NewOrg(t)
	p := env.Plan(t, "vpc.no-default-vpc")
	work := vpcIn(t, env, "workload", "us-east-1")
	vpc := launchIn(t, work)
	res, err := apply.Run(context.Background(), p, env.Configs(), apply.Options{Concurrency: 8, RetryFor: time.Second, Backoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range res.Events {
		inUse := strings.Contains(ev.Change.ID, "|"+env.Org.AccountID("workload")+"|us-east-1|")
		switch {
		case inUse && ev.Status == apply.Done:
			t.Errorf("%s done in a VPC now in use", ev.Change.ID)
		case inUse && ev.Status == apply.Failed && !strings.Contains(ev.Err.Error(), "refusing to delete default VPC "+vpc):
			t.Errorf("%s: %v", ev.Change.ID, ev.Err)
		case !inUse && ev.Status != apply.Done:
			t.Errorf("%s: %s %v", ev.Change.ID, ev.Status, ev.Err)
		}
	}
	if ids := defaultVPCs(t, work); !slices.Equal(ids, []string{vpc}) {
		t.Fatalf("default VPCs: %v, want %s kept", ids, vpc)
	}
}
