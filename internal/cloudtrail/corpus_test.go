package cloudtrail

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// corpusGen makes varied, realistic CloudTrail records (1–2 KB each): data
// and management events, every identity type, errors, escaped policy
// documents, long user agents.
type corpusGen struct {
	rng  *rand.Rand
	t    time.Time
	n    int
	accs []string
}

func newCorpusGen(seed uint64) *corpusGen {
	return &corpusGen{
		rng:  rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		t:    time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC),
		accs: []string{"111111111111", "222222222222", "333333333333", "444444444444"},
	}
}

func (g *corpusGen) uuid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", g.rng.Uint32(), g.rng.Uint32()&0xffff,
		g.rng.Uint32()&0xfff, g.rng.Uint32()&0xfff, g.rng.Uint64()&0xffffffffffff)
}

func (g *corpusGen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

var corpusAgents = []string{
	"aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1022-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#s3api.get-object",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2",
	"Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.144",
	"Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.59.0 (+https://registry.terraform.io/providers/hashicorp/aws) \"quoted\" {braces} [brackets]",
}

func (g *corpusGen) identity(acct string) map[string]any {
	switch g.rng.IntN(10) {
	case 0, 1, 2, 3, 4:
		role := g.pick("OrganizationAccountAccessRole", "AWSReservedSSO_AdministratorAccess_0123456789abcdef", "lambda-exec", "ci-deployer", "eks-node")
		session := g.pick("alice@example.com", "i-0123456789abcdef0", "botocore-session-1721234567", "GitHubActions")
		return map[string]any{
			"type": "AssumedRole", "principalId": "AROA" + g.uuid()[:16] + ":" + session,
			"arn":       "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session,
			"accountId": acct, "accessKeyId": "ASIA" + g.uuid()[:16],
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROA" + g.uuid()[:16],
					"arn": "arn:aws:iam::" + acct + ":role/" + role, "accountId": acct, "userName": role},
				"webIdFederationData": map[string]any{},
				"attributes":          map[string]any{"creationDate": g.t.Add(-time.Hour).Format(time.RFC3339), "mfaAuthenticated": "false"},
				"ec2RoleDelivery":     "2.0",
			},
		}
	case 5, 6:
		user := g.pick("deploy", "christophe", "backup-bot")
		return map[string]any{"type": "IAMUser", "principalId": "AIDA" + g.uuid()[:16], "arn": "arn:aws:iam::" + acct + ":user/" + user,
			"accountId": acct, "accessKeyId": "AKIA" + g.uuid()[:16], "userName": user}
	case 7:
		return map[string]any{"type": "Root", "principalId": acct, "arn": "arn:aws:iam::" + acct + ":root", "accountId": acct}
	default:
		return map[string]any{"type": "AWSService", "invokedBy": g.pick("cloudtrail.amazonaws.com", "config.amazonaws.com", "ec2.amazonaws.com")}
	}
}

// next returns one record.
func (g *corpusGen) next() map[string]any {
	g.n++
	g.t = g.t.Add(time.Duration(g.rng.IntN(400)) * time.Millisecond)
	acct := g.accs[g.rng.IntN(len(g.accs))]
	region := g.pick("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")
	r := map[string]any{
		"eventVersion": "1.10", "userIdentity": g.identity(acct), "eventTime": g.t.Format(time.RFC3339),
		"awsRegion": region, "sourceIPAddress": fmt.Sprintf("%d.%d.%d.%d", 3+g.rng.IntN(200), g.rng.IntN(256), g.rng.IntN(256), g.rng.IntN(256)),
		"userAgent": corpusAgents[g.rng.IntN(len(corpusAgents))], "requestID": g.uuid(), "eventID": g.uuid(),
		"readOnly": true, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": acct,
		"eventCategory": "Management",
		"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
			"clientProvidedHostHeader": "service." + region + ".amazonaws.com"},
	}
	bucket := g.pick("prod-data-lake", "logs-archive-111111111111", "tfstate-backend")
	switch g.rng.IntN(7) {
	case 0, 1: // S3 data event
		key := fmt.Sprintf("year=2025/month=03/part-%05d-%s.snappy.parquet", g.rng.IntN(99999), g.uuid())
		r["eventSource"], r["eventName"], r["eventCategory"], r["managementEvent"] = "s3.amazonaws.com", g.pick("GetObject", "PutObject", "HeadObject"), "Data", false
		r["requestParameters"] = map[string]any{"bucketName": bucket, "Host": bucket + ".s3." + region + ".amazonaws.com", "key": key, "x-id": "GetObject"}
		r["additionalEventData"] = map[string]any{"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
			"bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader", "x-amz-id-2": g.uuid() + g.uuid(), "bytesTransferredOut": g.rng.IntN(1 << 24)}
		r["resources"] = []any{
			map[string]any{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::" + bucket + "/" + key},
			map[string]any{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket},
		}
		r["responseElements"] = nil
	case 2: // EC2 describe
		r["eventSource"], r["eventName"] = "ec2.amazonaws.com", g.pick("DescribeInstances", "DescribeSecurityGroups", "DescribeVolumes")
		r["requestParameters"] = map[string]any{"maxResults": 1000, "filterSet": map[string]any{"items": []any{
			map[string]any{"name": "tag:Environment", "valueSet": map[string]any{"items": []any{map[string]any{"value": "prod"}}}},
			map[string]any{"name": "instance-state-name", "valueSet": map[string]any{"items": []any{map[string]any{"value": "running"}, map[string]any{"value": "stopped"}}}},
		}}, "instancesSet": map[string]any{}}
		r["responseElements"] = nil
	case 3: // IAM policy change with an escaped JSON document
		r["eventSource"], r["eventName"], r["readOnly"], r["awsRegion"] = "iam.amazonaws.com", "PutRolePolicy", false, "us-east-1"
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject"}, "Resource": "arn:aws:s3:::" + bucket + "/*",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": "o-abc123def4"}}}}})
		r["requestParameters"] = map[string]any{"roleName": "ci-deployer", "policyName": "inline-" + g.uuid()[:8], "policyDocument": string(doc)}
		r["responseElements"] = nil
	case 4: // denied call
		r["eventSource"], r["eventName"] = "kms.amazonaws.com", g.pick("ScheduleKeyDeletion", "DisableKey", "Decrypt")
		arn := r["userIdentity"].(map[string]any)["arn"]
		r["errorCode"] = "AccessDenied"
		r["errorMessage"] = fmt.Sprintf("User: %v is not authorized to perform: kms:ScheduleKeyDeletion on resource: arn:aws:kms:%s:%s:key/%s because no identity-based policy allows the kms:ScheduleKeyDeletion action", arn, region, acct, g.uuid())
		r["requestParameters"], r["responseElements"] = nil, nil
		r["readOnly"] = false
	case 5: // STS AssumeRole by a service
		r["eventSource"], r["eventName"] = "sts.amazonaws.com", "AssumeRole"
		r["userIdentity"] = map[string]any{"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
		r["requestParameters"] = map[string]any{"roleArn": "arn:aws:iam::" + acct + ":role/lambda-exec", "roleSessionName": "fn-" + g.uuid()[:8]}
		r["responseElements"] = map[string]any{"credentials": map[string]any{"accessKeyId": "ASIA" + g.uuid()[:16],
			"sessionToken": g.uuid() + g.uuid() + g.uuid(), "expiration": g.t.Add(time.Hour).Format("Jan 2, 2006, 3:04:05 PM")},
			"assumedRoleUser": map[string]any{"assumedRoleId": "AROA" + g.uuid()[:16] + ":fn", "arn": "arn:aws:sts::" + acct + ":assumed-role/lambda-exec/fn"}}
		r["resources"] = []any{map[string]any{"accountId": acct, "type": "AWS::IAM::Role", "ARN": "arn:aws:iam::" + acct + ":role/lambda-exec"}}
		r["sharedEventID"] = g.uuid()
	default: // console sign-in
		r["eventSource"], r["eventName"], r["eventType"], r["readOnly"] = "signin.amazonaws.com", "ConsoleLogin", "AwsConsoleSignIn", false
		r["requestParameters"] = nil
		r["responseElements"] = map[string]any{"ConsoleLogin": g.pick("Success", "Failure")}
		r["additionalEventData"] = map[string]any{"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
			"MobileVersion": "No", "MFAUsed": g.pick("Yes", "No")}
	}
	return r
}

// file returns one CloudTrail log file of n records, as CloudTrail writes it.
func (g *corpusGen) file(n int) []byte {
	recs := make([]any, n)
	for i := range recs {
		recs[i] = g.next()
	}
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		panic(err)
	}
	return b
}
