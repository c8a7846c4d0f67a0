package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// severityInfo is how one catalog severity is written in each format.
type severityInfo struct {
	ocsfID   int    // OCSF severity_id
	name     string // OCSF severity, capitalised
	sarif    string // SARIF level of a failing result
	sarifSev string // GitHub code scanning "security-severity" score
}

var severities = map[catalog.Severity]severityInfo{
	catalog.Critical: {5, "Critical", "error", "9.0"},
	catalog.High:     {4, "High", "error", "7.0"},
	catalog.Medium:   {3, "Medium", "warning", "5.0"},
	catalog.Low:      {2, "Low", "note", "3.0"},
}

func severityOf(s catalog.Severity) severityInfo {
	if info, ok := severities[s]; ok {
		return info
	}
	return severityInfo{0, "Unknown", "warning", "5.0"}
}

// Finding types of the ASFF taxonomy, also used as OCSF finding types.
const (
	typeCIS       = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
	typeBestPract = "Software and Configuration Checks/AWS Security Best Practices"
)

func findingTypes(c *catalog.Control) []string {
	if len(c.CIS) > 0 {
		return []string{typeCIS}
	}
	return []string{typeBestPract}
}

// cisRefs names the CIS recommendations of c ("CIS AWS Foundations v7.0 2.8").
func cisRefs(c *catalog.Control) []string {
	out := make([]string, len(c.CIS))
	for i, id := range c.CIS {
		out[i] = "CIS AWS Foundations v7.0 " + id
	}
	return out
}

// maxIDLen is the longest finding id Security Hub accepts.
const maxIDLen = 512

// findingID identifies a finding across runs, so that re-importing a report
// updates the earlier finding instead of adding a new one. Resource ids too
// long for Security Hub are replaced by their hash.
func findingID(f *catalog.Finding) string {
	id := "baseline/" + f.ControlID + "/" + f.AccountID + "/" + cmp.Or(f.Region, "global")
	if f.Resource == "" {
		return id
	}
	if len(id)+1+len(f.Resource) <= maxIDLen {
		return id + "/" + f.Resource
	}
	// The rest of the id is short: control, account and region ids.
	sum := sha256.Sum256([]byte(f.Resource))
	return id + "/sha256:" + hex.EncodeToString(sum[:])
}

// resourceRef names the resource of a finding the way Security Hub and OCSF
// do: the account itself for account-level findings, else the ARN or id
// with its ASFF resource type ("Other" when there is none).
type resourceRef struct{ ID, Type, Name string }

func resourceOf(f *catalog.Finding) resourceRef {
	if f.Resource == "" {
		return resourceRef{ID: "AWS::::Account:" + f.AccountID, Type: "AwsAccount", Name: f.AccountID}
	}
	return resourceRef{ID: f.Resource, Type: resourceType(f.Resource), Name: resourceName(f.Resource)}
}

// asffTypes maps "service:resource-type" of an ARN, "service:" for the
// services whose ARNs end in the bare name, and EC2 id prefixes to the ASFF
// resource type.
var asffTypes = map[string]string{
	"s3:":                               "AwsS3Bucket",
	"sns:":                              "AwsSnsTopic",
	"sqs:":                              "AwsSqsQueue",
	"iam:user":                          "AwsIamUser",
	"iam:role":                          "AwsIamRole",
	"iam:group":                         "AwsIamGroup",
	"iam:policy":                        "AwsIamPolicy",
	"ec2:instance":                      "AwsEc2Instance",
	"ec2:security-group":                "AwsEc2SecurityGroup",
	"ec2:vpc":                           "AwsEc2Vpc",
	"ec2:subnet":                        "AwsEc2Subnet",
	"ec2:network-acl":                   "AwsEc2NetworkAcl",
	"ec2:volume":                        "AwsEc2Volume",
	"kms:key":                           "AwsKmsKey",
	"cloudtrail:trail":                  "AwsCloudTrailTrail",
	"lambda:function":                   "AwsLambdaFunction",
	"rds:db":                            "AwsRdsDbInstance",
	"dynamodb:table":                    "AwsDynamoDbTable",
	"elasticloadbalancing:loadbalancer": "AwsElbv2LoadBalancer",
	"cloudfront:distribution":           "AwsCloudFrontDistribution",
	"backup:backup-vault":               "AwsBackupBackupVault",
	"backup:backup-plan":                "AwsBackupBackupPlan",
	"ecs:cluster":                       "AwsEcsCluster",
	"guardduty:detector":                "AwsGuardDutyDetector",
	"secretsmanager:secret":             "AwsSecretsManagerSecret",
	"i-":                                "AwsEc2Instance",
	"sg-":                               "AwsEc2SecurityGroup",
	"vpc-":                              "AwsEc2Vpc",
	"subnet-":                           "AwsEc2Subnet",
	"acl-":                              "AwsEc2NetworkAcl",
	"vol-":                              "AwsEc2Volume",
}

func resourceType(id string) string {
	arn := strings.SplitN(id, ":", 6)
	if len(arn) < 6 || arn[0] != "arn" {
		prefix, _, _ := strings.Cut(id, "-")
		return asffType(prefix + "-")
	}
	service, res := arn[2], arn[5]
	if service == "s3" && strings.Contains(res, "/") {
		return "AwsS3Object"
	}
	kind, _, _ := strings.Cut(strings.ReplaceAll(res, ":", "/"), "/")
	if t, ok := asffTypes[service+":"+kind]; ok {
		return t
	}
	return asffType(service + ":")
}

func asffType(key string) string {
	if t, ok := asffTypes[key]; ok {
		return t
	}
	return "Other"
}

// resourceName is the last part of an ARN or path, else the id itself.
func resourceName(id string) string {
	if i := strings.LastIndexAny(id, "/:"); i >= 0 && i < len(id)-1 {
		return id[i+1:]
	}
	return id
}

// partition is the AWS partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// homeRegion is where findings without a region (account-level, global
// services) are reported: us-east-1 when collected, else the first region.
func (v *view) homeRegion() string {
	regions := v.Snapshot.Regions
	if len(regions) == 0 || slices.Contains(regions, "us-east-1") {
		return "us-east-1"
	}
	return regions[0]
}
