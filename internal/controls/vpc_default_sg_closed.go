package controls

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "vpc.default-sg-closed",
	Title:    "Default security groups allow no traffic",
	Stage:    "F9",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"6.5"},
	Rationale: "Resources launched without an explicit security group land in the VPC's default group. With no " +
		"rules it isolates them until someone grants exactly what they need; with its default rules it lets " +
		"every such resource talk to every other and to the internet.",
	Steps: "Remove every inbound and outbound rule of each VPC's default security group, and give workloads their own groups.\n" +
		"Console: VPC > Security groups > the group named default > Inbound rules / Outbound rules > Edit > Delete all.\n" +
		"CLI: aws ec2 revoke-security-group-ingress --group-id <sg> --ip-permissions \"$(aws ec2 describe-security-groups " +
		"--group-ids <sg> --query 'SecurityGroups[0].IpPermissions')\"\n" +
		"     aws ec2 revoke-security-group-egress --group-id <sg> --ip-permissions \"$(aws ec2 describe-security-groups " +
		"--group-ids <sg> --query 'SecurityGroups[0].IpPermissionsEgress')\"",
	Reads: []string{"ec2:DescribeSecurityGroups"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		found := false
		for _, g := range s.SecurityGroups {
			if g.Name != "default" {
				continue
			}
			found = true
			arn := ec2ARN(e, "security-group", g.ID)
			var rules []string
			if n := len(g.Ingress); n > 0 {
				rules = append(rules, plural(n, "inbound rule"))
			}
			if n := len(g.Egress); n > 0 {
				rules = append(rules, plural(n, "outbound rule"))
			}
			if len(rules) > 0 {
				e.Fail(arn, "default security group %s of %s has %s: remove them all", g.ID, g.VPCID, strings.Join(rules, " and "))
				continue
			}
			e.Pass(arn, "default security group %s of %s has no rules", g.ID, g.VPCID)
		}
		if !found {
			e.Pass("", "no VPC in %s", e.Region)
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			s := ec2Of(p.Eval)
			if s == nil {
				return
			}
			failing := map[string]bool{}
			for _, f := range failures(p) {
				failing[f.Resource] = true
			}
			for _, g := range s.SecurityGroups {
				arn := ec2ARN(p.Eval, "security-group", g.ID)
				if !failing[arn] || deletedWithVPC(p, s, g.VPCID) {
					continue
				}
				p.Here().Update("close-default-sg", arn,
					defaultSG{GroupID: g.ID, VPCID: g.VPCID, Inbound: ruleList(g.Ingress, "from"), Outbound: ruleList(g.Egress, "to")},
					defaultSG{GroupID: g.ID, VPCID: g.VPCID, Inbound: []string{}, Outbound: []string{}})
			}
		},
		Ops: map[string]catalog.Op{"close-default-sg": decodedOp(func(ctx context.Context, cfg aws.Config, g defaultSG) error {
			return closeSecurityGroup(ctx, ec2.NewFromConfig(cfg), g.GroupID)
		})},
	},
})

// defaultSG is a default security group and the rules it has (before) or
// keeps (after: none), as people read them.
type defaultSG struct {
	GroupID  string   `json:"group_id"`
	VPCID    string   `json:"vpc_id"`
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

// ruleList describes rules: "tcp 22 from 0.0.0.0/0", "all traffic to ::/0".
func ruleList(rules []snapshot.SGRule, dir string) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = fmt.Sprintf("%s %s %s", describeRule(r.Protocol, r.FromPort, r.ToPort), dir, r.Source)
	}
	return out
}

// deletedWithVPC reports whether the plan deletes the group's VPC, and the
// group with it.
func deletedWithVPC(p *catalog.Planner, s *snapshot.EC2, vpc string) bool {
	for _, v := range s.VPCs {
		if v.ID == vpc {
			return deletedByPlan(p, p.Region, s, v)
		}
	}
	return false
}

type securityGroupCloser interface {
	DescribeSecurityGroups(context.Context, *ec2.DescribeSecurityGroupsInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	RevokeSecurityGroupIngress(context.Context, *ec2.RevokeSecurityGroupIngressInput, ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error)
	RevokeSecurityGroupEgress(context.Context, *ec2.RevokeSecurityGroupEgressInput, ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error)
}

// closeSecurityGroup revokes every rule the group has now, exactly as EC2
// describes them (apply refused the plan if they differ from what it showed).
func closeSecurityGroup(ctx context.Context, api securityGroupCloser, id string) error {
	out, err := api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil {
		return err
	}
	for _, g := range out.SecurityGroups {
		if len(g.IpPermissions) > 0 {
			if _, err := api.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: g.IpPermissions}); err != nil {
				return err
			}
		}
		if len(g.IpPermissionsEgress) > 0 {
			if _, err := api.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: g.GroupId, IpPermissions: g.IpPermissionsEgress}); err != nil {
				return err
			}
		}
	}
	return nil
}
