package cloudtrail

import "strings"

// RoleARNFromSession returns the IAM role ARN behind an STS assumed-role
// session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), or "" when
// arn is not one. The role's path is not in the session ARN, so prefer the
// event's sessionIssuer.arn when there is one.
func RoleARNFromSession(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sts" {
		return ""
	}
	role, ok := strings.CutPrefix(parts[5], "assumed-role/")
	if !ok {
		return ""
	}
	role, _, ok = strings.Cut(role, "/")
	if !ok || role == "" {
		return ""
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + role
}

// partitionOf guesses the ARN partition from a region name, for ARNs that
// CloudTrail leaves out.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	}
	return "aws"
}
