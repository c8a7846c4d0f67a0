package corpus

import "fmt"

// call is an API call of the everyday mix, with its share of a trail.
type call struct {
	source, name string
	readOnly     bool
	weight       int
	who          []whoKind
	// req and resp write the members of requestParameters and
	// responseElements; nil writes null.
	req, resp func(g *fileGen, b []byte) []byte
	// kms marks calls whose resources are a KMS key.
	kms bool
}

var (
	anyone  = []whoKind{person, app, instance, user}
	apps    = []whoKind{app, instance}
	humans  = []whoKind{person, user}
	byAWS   = []whoKind{service}
	managed = []whoKind{app, instance, service}
)

func instanceID(g *fileGen) string { return fmt.Sprintf("i-0%016x", g.rng.Uint64()>>8) }

// calls is the everyday mix, weighted after what management-event trails
// of busy accounts hold: mostly reads by workloads and AWS services.
var calls = []call{
	{source: "sts.amazonaws.com", name: "AssumeRole", readOnly: true, weight: 90, who: managed, kms: false,
		req: func(g *fileGen, b []byte) []byte {
			b = str(b, "roleArn", "arn:aws:iam::"+g.account+":role/"+appRoles[g.rng.IntN(len(appRoles))])
			b = str(b, "roleSessionName", fmt.Sprintf("session-%d", g.rng.IntN(1e9)))
			return num(b, "durationSeconds", 3600)
		},
		resp: func(g *fileGen, b []byte) []byte {
			b = open(b, "credentials")
			b = str(b, "accessKeyId", "ASIA"+g.hex(16))
			b = str(b, "sessionToken", g.hex(64))
			b = str(b, "expiration", "Mar 14, 2025, 11:00:00 AM")
			b = end(b, '}')
			b = open(b, "assumedRoleUser")
			b = str(b, "assumedRoleId", "AROA"+g.hex(16)+":session")
			b = str(b, "arn", "arn:aws:sts::"+g.account+":assumed-role/app/session")
			return end(b, '}')
		}},
	{source: "kms.amazonaws.com", name: "Decrypt", readOnly: true, weight: 80, who: byAWS, kms: true,
		req: func(g *fileGen, b []byte) []byte {
			b = open(b, "encryptionContext")
			b = str(b, "aws:s3:arn", "arn:aws:s3:::orders-data-"+g.account+"/exports/"+g.hex(12)+".parquet")
			b = end(b, '}')
			return str(b, "encryptionAlgorithm", "SYMMETRIC_DEFAULT")
		}},
	{source: "kms.amazonaws.com", name: "GenerateDataKey", readOnly: true, weight: 50, who: byAWS, kms: true,
		req: func(g *fileGen, b []byte) []byte {
			b = str(b, "keyId", "arn:aws:kms:"+g.region+":"+g.account+":key/"+g.uuid())
			return str(b, "keySpec", "AES_256")
		}},
	{source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, weight: 70, who: []whoKind{app, instance, person, service},
		req: func(g *fileGen, b []byte) []byte {
			b = open(b, "instancesSet")
			b = append(b, `"items":[{"instanceId":"`...)
			b = append(b, instanceID(g)...)
			b = append(b, `"}],`...)
			b = end(b, '}')
			b = open(b, "filterSet")
			return end(b, '}')
		}},
	{source: "ec2.amazonaws.com", name: "DescribeSecurityGroups", readOnly: true, weight: 25, who: managed},
	{source: "ec2.amazonaws.com", name: "DescribeNetworkInterfaces", readOnly: true, weight: 30, who: managed,
		req: func(g *fileGen, b []byte) []byte {
			b = open(b, "networkInterfaceIdSet")
			b = append(b, `"items":[{"networkInterfaceId":"eni-0`...)
			b = append(b, g.hex(16)...)
			b = append(b, `"}],`...)
			return end(b, '}')
		}},
	{source: "ec2.amazonaws.com", name: "DescribeVpcs", readOnly: true, weight: 10, who: managed},
	{source: "ec2.amazonaws.com", name: "CreateTags", readOnly: false, weight: 8, who: []whoKind{app, service},
		req: func(g *fileGen, b []byte) []byte {
			b = open(b, "resourcesSet")
			b = append(b, `"items":[{"resourceId":"`...)
			b = append(b, instanceID(g)...)
			b = append(b, `"}],`...)
			b = end(b, '}')
			b = open(b, "tagSet")
			b = append(b, `"items":[{"key":"team","value":"payments"},{"key":"env","value":"prod"}],`...)
			return end(b, '}')
		},
		resp: func(g *fileGen, b []byte) []byte {
			b = str(b, "requestId", g.uuid())
			return boolean(b, "_return", true)
		}},
	{source: "s3.amazonaws.com", name: "GetBucketAcl", readOnly: true, weight: 25, who: byAWS,
		req: func(g *fileGen, b []byte) []byte {
			b = str(b, "bucketName", "orders-data-"+g.account)
			b = str(b, "Host", "orders-data-"+g.account+".s3."+g.region+".amazonaws.com")
			return str(b, "acl", "")
		}},
	{source: "s3.amazonaws.com", name: "ListBuckets", readOnly: true, weight: 10, who: anyone,
		req: func(g *fileGen, b []byte) []byte { return str(b, "Host", "s3."+g.region+".amazonaws.com") }},
	{source: "logs.amazonaws.com", name: "CreateLogStream", readOnly: false, weight: 35, who: apps,
		req: func(g *fileGen, b []byte) []byte {
			b = str(b, "logGroupName", "/aws/lambda/"+appRoles[g.rng.IntN(len(appRoles))])
			return str(b, "logStreamName", "2025/03/14/[$LATEST]"+g.hex(32))
		}},
	{source: "logs.amazonaws.com", name: "DescribeLogGroups", readOnly: true, weight: 10, who: []whoKind{person, service}},
	{source: "dynamodb.amazonaws.com", name: "DescribeTable", readOnly: true, weight: 30, who: apps,
		req: func(g *fileGen, b []byte) []byte { return str(b, "tableName", "orders") }},
	{source: "lambda.amazonaws.com", name: "GetFunction20150331v2", readOnly: true, weight: 10, who: []whoKind{person, app},
		req: func(g *fileGen, b []byte) []byte { return str(b, "functionName", "billing-lambda") }},
	{source: "iam.amazonaws.com", name: "GetRole", readOnly: true, weight: 15, who: []whoKind{person, app, service},
		req: func(g *fileGen, b []byte) []byte { return str(b, "roleName", appRoles[g.rng.IntN(len(appRoles))]) }},
	{source: "iam.amazonaws.com", name: "ListRoles", readOnly: true, weight: 5, who: []whoKind{person, service}},
	{source: "ssm.amazonaws.com", name: "GetParameter", readOnly: true, weight: 25, who: apps,
		req: func(g *fileGen, b []byte) []byte {
			b = str(b, "name", "/prod/orders/db-host")
			return boolean(b, "withDecryption", false)
		}},
	{source: "secretsmanager.amazonaws.com", name: "GetSecretValue", readOnly: true, weight: 12, who: apps,
		req: func(g *fileGen, b []byte) []byte {
			return str(b, "secretId", "arn:aws:secretsmanager:"+g.region+":"+g.account+":secret:prod/orders/db-AbCdEf")
		}},
	{source: "monitoring.amazonaws.com", name: "DescribeAlarms", readOnly: true, weight: 12, who: []whoKind{person, service},
		req: func(g *fileGen, b []byte) []byte { return num(b, "maxRecords", 100) }},
	{source: "ecr.amazonaws.com", name: "GetAuthorizationToken", readOnly: true, weight: 15, who: apps},
	{source: "ecs.amazonaws.com", name: "DescribeServices", readOnly: true, weight: 10, who: []whoKind{app, person},
		req: func(g *fileGen, b []byte) []byte {
			b = str(b, "cluster", "prod")
			b = key(b, "services")
			return append(b, `["orders-api","payments-worker"],`...)
		}},
	{source: "autoscaling.amazonaws.com", name: "DescribeAutoScalingGroups", readOnly: true, weight: 8, who: managed},
	{source: "elasticloadbalancing.amazonaws.com", name: "DescribeTargetHealth", readOnly: true, weight: 10, who: managed,
		req: func(g *fileGen, b []byte) []byte {
			return str(b, "targetGroupArn", "arn:aws:elasticloadbalancing:"+g.region+":"+g.account+":targetgroup/orders/"+g.hex(16))
		}},
	{source: "rds.amazonaws.com", name: "DescribeDBInstances", readOnly: true, weight: 6, who: []whoKind{person, service}},
	{source: "sts.amazonaws.com", name: "GetCallerIdentity", readOnly: true, weight: 12, who: anyone},
	{source: "cloudformation.amazonaws.com", name: "DescribeStacks", readOnly: true, weight: 6, who: humans,
		req: func(g *fileGen, b []byte) []byte { return str(b, "stackName", "orders-prod") }},
	{source: "lambda.amazonaws.com", name: "UpdateFunctionConfiguration20150331v2", readOnly: false, weight: 2, who: humans,
		req: func(g *fileGen, b []byte) []byte {
			b = str(b, "functionName", "billing-lambda")
			return num(b, "timeout", 30)
		}},
	{source: "ssm.amazonaws.com", name: "UpdateInstanceInformation", readOnly: false, weight: 20, who: []whoKind{instance},
		req: func(g *fileGen, b []byte) []byte {
			b = str(b, "instanceId", instanceID(g))
			b = str(b, "agentVersion", "3.3.380.0")
			b = str(b, "platformType", "Linux")
			return str(b, "platformName", "Amazon Linux")
		}},
	{source: "signin.amazonaws.com", name: "GetSigninToken", readOnly: false, weight: 1, who: []whoKind{person}},
}
