package controls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// ec2Of returns the region's EC2 state; when the collector did not run it
// reports ERROR and returns nil.
func ec2Of(e *catalog.Eval) *snapshot.EC2 {
	if e.R == nil || e.R.EC2 == nil {
		e.NotCollected("ec2")
		return nil
	}
	return e.R.EC2
}

// isInternet reports whether a CIDR is the whole IPv4 or IPv6 internet.
func isInternet(cidr string) bool { return cidr == "0.0.0.0/0" || cidr == "::/0" }

// adminPorts are the remote administration ports CIS 6.2–6.4 name.
var adminPorts = []struct {
	port int32
	name string
}{{22, "SSH"}, {3389, "RDP"}}

// portRange is the range of ports a rule of the given protocol covers:
// every port for all protocols ("-1"), its own range for TCP. Other
// protocols (UDP, ICMP...) never reach SSH or RDP.
func portRange(protocol string, from, to int32) (lo, hi int32, ok bool) {
	switch strings.ToLower(protocol) {
	case "-1", "all":
		return 0, 65535, true
	case "tcp", "6":
		if from < 0 || to < 0 {
			return 0, 65535, true
		}
		return from, to, true
	}
	return 0, 0, false
}

// adminPortsIn names the administration ports a rule covers, "SSH 22".
func adminPortsIn(protocol string, from, to int32) []string {
	lo, hi, ok := portRange(protocol, from, to)
	if !ok {
		return nil
	}
	var out []string
	for _, p := range adminPorts {
		if lo <= p.port && p.port <= hi {
			out = append(out, fmt.Sprintf("%s %d", p.name, p.port))
		}
	}
	return out
}

// protocolNames names the IP protocols network ACLs give by number.
var protocolNames = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}

// describeRule says what a rule admits: "all traffic", "tcp 22",
// "tcp 0-65535", "icmp".
func describeRule(protocol string, from, to int32) string {
	name := protocolNames[protocol]
	if name == "" {
		name = strings.ToLower(protocol)
	}
	switch {
	case protocol == "-1":
		return "all traffic"
	case from < 0:
		return name
	case from == to:
		return fmt.Sprintf("%s %d", name, from)
	}
	return fmt.Sprintf("%s %d-%d", name, from, to)
}

// openAdminRules describes the ingress rules of a security group that open
// an administration port to the internet.
func openAdminRules(g *snapshot.SecurityGroup) []string {
	var out []string
	for _, r := range g.Ingress {
		if !isInternet(r.Source) {
			continue
		}
		if ports := adminPortsIn(r.Protocol, r.FromPort, r.ToPort); len(ports) > 0 {
			out = append(out, fmt.Sprintf("%s from %s (%s)", describeRule(r.Protocol, r.FromPort, r.ToPort), r.Source, strings.Join(ports, ", ")))
		}
	}
	return out
}

// internetIngress describes the ingress rules of a security group that
// admit the internet on any port.
func internetIngress(g *snapshot.SecurityGroup) []string {
	var out []string
	for _, r := range g.Ingress {
		if isInternet(r.Source) {
			out = append(out, fmt.Sprintf("%s from %s", describeRule(r.Protocol, r.FromPort, r.ToPort), r.Source))
		}
	}
	return out
}

// openAdminACLEntries applies a network ACL's inbound rules the way the VPC
// does, in rule-number order, first match wins, for a request from anywhere
// on the internet to each administration port, IPv4 and IPv6. An entry for
// a narrower CIDR decides only for its own addresses, so the deciding entry
// is the first that matches the port for the whole address space. It
// describes the allow entries that decide.
func openAdminACLEntries(acl *snapshot.NetworkACL) []string {
	in := make([]snapshot.ACLEntry, 0, len(acl.Entries))
	for _, e := range acl.Entries {
		if !e.Egress {
			in = append(in, e)
		}
	}
	slices.SortFunc(in, func(a, b snapshot.ACLEntry) int { return int(a.RuleNumber) - int(b.RuleNumber) })
	opened := map[int32][]string{} // rule number → ports it opens
	for _, everyone := range []string{"0.0.0.0/0", "::/0"} {
		for _, p := range adminPorts {
			for _, e := range in {
				lo, hi, ok := portRange(e.Protocol, e.FromPort, e.ToPort)
				if !ok || e.CIDR != everyone || p.port < lo || p.port > hi {
					continue
				}
				if strings.EqualFold(e.Action, "allow") {
					label := fmt.Sprintf("%s %d from %s", p.name, p.port, everyone)
					opened[e.RuleNumber] = append(opened[e.RuleNumber], label)
				}
				break
			}
		}
	}
	var out []string
	for _, e := range in {
		if ports, ok := opened[e.RuleNumber]; ok {
			out = append(out, fmt.Sprintf("rule %d allows %s (%s)", e.RuleNumber, describeRule(e.Protocol, e.FromPort, e.ToPort), strings.Join(ports, ", ")))
			delete(opened, e.RuleNumber)
		}
	}
	return out
}

// routeTableOf returns the table that routes a subnet: its explicit
// association, else the main table of its VPC.
func routeTableOf(s *snapshot.EC2, subnet snapshot.Subnet) *snapshot.RouteTable {
	var main *snapshot.RouteTable
	for i := range s.RouteTables {
		rt := &s.RouteTables[i]
		if slices.Contains(rt.Subnets, subnet.ID) {
			return rt
		}
		if rt.Main && rt.VPCID == subnet.VPCID {
			main = rt
		}
	}
	return main
}

// isPublicSubnet reports whether a subnet faces the internet: its default
// route goes to an internet gateway, or it gives instances public addresses.
func isPublicSubnet(s *snapshot.EC2, subnet snapshot.Subnet) bool {
	if subnet.MapPublicIPOnLaunch {
		return true
	}
	rt := routeTableOf(s, subnet)
	if rt == nil {
		return false
	}
	for _, r := range rt.Routes {
		if isInternet(r.Destination) && strings.HasPrefix(r.Target, "igw-") {
			return true
		}
	}
	return false
}

// reportsGlobal reports whether the region being checked is the one where
// an account's global resources (CloudFront) are reported: us-east-1, where
// their APIs live, else the account's first assessed region.
func reportsGlobal(e *catalog.Eval) bool {
	if _, ok := e.Account.Regions["us-east-1"]; ok {
		return e.Region == "us-east-1"
	}
	regions := assessedRegions(e.Account)
	return len(regions) > 0 && e.Region == regions[0]
}

// ec2ARN is the ARN of an EC2 resource of the region being checked:
// ec2ARN(e, "vpc", "vpc-1") = arn:aws:ec2:us-east-1:111111111111:vpc/vpc-1.
func ec2ARN(e *catalog.Eval, kind, id string) string {
	return fmt.Sprintf("arn:%s:ec2:%s:%s:%s/%s", partitionOf(e.Region), e.Region, e.Account.AccountID, kind, id)
}

// partitionOf is the AWS partition a region belongs to.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// plural says "1 rule" or "3 rules".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
