package index

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"
)

// A generator of realistic CloudTrail: gzip files in the AWSLogs/ key layout,
// four accounts and four regions, a day after another, with the mix of a
// busy organization — S3 data events, describes, KMS and STS calls, and
// the write events who-changed is about (security groups, instances, IAM,
// load balancers, keys, functions, trails) over pools of named resources
// whose popularity is skewed, as in real accounts.

var (
	corpusAccounts = []string{"111111111111", "222222222222", "333333333333", "444444444444"}
	corpusRegions  = []string{"us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"}
	corpusStart    = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	corpusAgents   = []string{
		"aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1022-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#ec2.describe-instances",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
		"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2",
		"Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.144",
		"Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.59.0 (+https://registry.terraform.io/providers/hashicorp/aws)",
		"console.amazonaws.com",
	}
)

// Resource pools, the same in every account. corpusResource names the i-th
// resource of a kind, so that tests and benchmarks know what to look up.
const (
	poolBuckets   = 200
	poolInstances = 2000
	poolGroups    = 300
	poolRoles     = 100
	poolUsers     = 50
	poolLBs       = 30
	poolKeys      = 100
	poolFunctions = 100
)

func corpusResource(kind string, account, i int) string {
	switch kind {
	case "bucket":
		return fmt.Sprintf("data-%d-%s", i, corpusAccounts[account])
	case "instance":
		return fmt.Sprintf("i-%017x", 0xa11ce000+account<<20+i)
	case "sg":
		return fmt.Sprintf("sg-%017x", 0x5ec00000+account<<20+i)
	case "role":
		return fmt.Sprintf("app-role-%d", i)
	case "user":
		return fmt.Sprintf("user-%d", i)
	case "lb":
		return fmt.Sprintf("web-lb-%d", i)
	case "key":
		return fmt.Sprintf("%08x-1111-4222-8333-%012x", account, i)
	case "function":
		return fmt.Sprintf("fn-%d", i)
	}
	panic(kind)
}

type genRecord struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       map[string]any  `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	AdditionalData     json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []genResource   `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`
	TLSDetails         map[string]any  `json:"tlsDetails"`
}

type genResource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

type corpusGen struct {
	rng     *rand.Rand
	account int
	region  string
	t       time.Time
}

func (g *corpusGen) uuid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", g.rng.Uint32(), g.rng.Uint32()&0xffff,
		g.rng.Uint32()&0xfff, g.rng.Uint32()&0xfff, g.rng.Uint64()&0xffffffffffff)
}

// skewed picks 0..n-1, small numbers far more often (popular resources).
func (g *corpusGen) skewed(n int) int {
	return min(n-1, int(float64(n)*g.rng.Float64()*g.rng.Float64()))
}

func (g *corpusGen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

func (g *corpusGen) res(kind string, n int) string {
	return corpusResource(kind, g.account, g.skewed(n))
}

func (g *corpusGen) identity() map[string]any {
	acct := corpusAccounts[g.account]
	switch g.rng.IntN(20) {
	case 0:
		return map[string]any{"type": "Root", "principalId": acct, "arn": "arn:aws:iam::" + acct + ":root", "accountId": acct}
	case 1, 2, 3, 4:
		user := g.res("user", poolUsers)
		return map[string]any{"type": "IAMUser", "principalId": "AIDA" + g.uuid()[:16], "arn": "arn:aws:iam::" + acct + ":user/" + user,
			"accountId": acct, "accessKeyId": fmt.Sprintf("AKIA%016X", g.account<<8+g.skewed(poolUsers)), "userName": user}
	case 5, 6:
		return map[string]any{"type": "AWSService", "invokedBy": g.pick("ec2.amazonaws.com", "lambda.amazonaws.com", "config.amazonaws.com")}
	}
	role := g.res("role", poolRoles)
	session := g.pick("alice@example.com", "bob@example.com", "GitHubActions", "botocore-session-1721234567", "i-0123456789abcdef0")
	return map[string]any{
		"type": "AssumedRole", "principalId": "AROA" + g.uuid()[:16] + ":" + session,
		"arn":       "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session,
		"accountId": acct, "accessKeyId": "ASIA" + g.uuid()[:16],
		"sessionContext": map[string]any{
			"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROA" + g.uuid()[:16],
				"arn": "arn:aws:iam::" + acct + ":role/" + role, "accountId": acct, "userName": role},
			"attributes": map[string]any{"creationDate": g.t.Add(-time.Hour).Format(time.RFC3339), "mfaAuthenticated": "false"},
		},
	}
}

func raw(format string, args ...any) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(format, args...))
}

// next returns one event. About a fifth are writes that name resources.
func (g *corpusGen) next() *genRecord {
	acct := corpusAccounts[g.account]
	r := &genRecord{
		EventVersion: "1.10", UserIdentity: g.identity(), EventTime: g.t.Format(time.RFC3339), AWSRegion: g.region,
		SourceIPAddress: fmt.Sprintf("%d.%d.%d.%d", 3+g.rng.IntN(200), g.rng.IntN(256), g.rng.IntN(256), g.rng.IntN(256)),
		UserAgent:       corpusAgents[g.rng.IntN(len(corpusAgents))], RequestID: g.uuid(), EventID: g.uuid(),
		ReadOnly: true, EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: acct, EventCategory: "Management",
		RequestParameters: raw("null"), ResponseElements: raw("null"),
		TLSDetails: map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "service." + g.region + ".amazonaws.com"},
	}
	write := func(source, name string) { r.EventSource, r.EventName, r.ReadOnly = source, name, false }
	switch n := g.rng.IntN(100); {
	case n < 35: // S3 data events
		bucket := g.res("bucket", poolBuckets)
		key := fmt.Sprintf("year=2025/month=03/part-%05d.snappy.parquet", g.rng.IntN(99999))
		r.EventSource, r.EventName, r.EventCategory, r.ManagementEvent = "s3.amazonaws.com", "GetObject", "Data", false
		if n < 8 {
			r.EventName, r.ReadOnly = "PutObject", false
		}
		r.RequestParameters = raw(`{"bucketName":%q,"Host":"%s.s3.%s.amazonaws.com","key":%q}`, bucket, bucket, g.region, key)
		r.AdditionalData = raw(`{"SignatureVersion":"SigV4","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","bytesTransferredOut":%d}`, g.rng.IntN(1<<24))
		r.Resources = []genResource{{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::" + bucket + "/" + key}, {AccountID: acct, Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + bucket}}
	case n < 50:
		r.EventSource, r.EventName = "ec2.amazonaws.com", g.pick("DescribeInstances", "DescribeSecurityGroups", "DescribeVolumes")
		r.RequestParameters = raw(`{"maxResults":1000,"filterSet":{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}}`)
	case n < 58:
		r.EventSource, r.EventName = "kms.amazonaws.com", g.pick("Decrypt", "GenerateDataKey", "Encrypt")
		keyARN := "arn:aws:kms:" + g.region + ":" + acct + ":key/" + g.res("key", poolKeys)
		r.RequestParameters = raw(`{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":%q}`, keyARN)
		r.Resources = []genResource{{AccountID: acct, Type: "AWS::KMS::Key", ARN: keyARN}}
	case n < 66:
		r.EventSource, r.EventName = "sts.amazonaws.com", "AssumeRole"
		role := "arn:aws:iam::" + acct + ":role/" + g.res("role", poolRoles)
		r.RequestParameters = raw(`{"roleArn":%q,"roleSessionName":"s-%d"}`, role, g.rng.IntN(1000))
		r.ResponseElements = raw(`{"credentials":{"accessKeyId":"ASIA%s","expiration":"Mar 1, 2025, 1:00:00 PM"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLE:s","arn":"arn:aws:sts::%s:assumed-role/r/s"}}`, g.uuid()[:16], acct)
		r.Resources = []genResource{{AccountID: acct, Type: "AWS::IAM::Role", ARN: role}}
	case n < 72:
		r.EventSource, r.EventName = g.pick("secretsmanager.amazonaws.com", "ssm.amazonaws.com"), g.pick("GetSecretValue", "GetParameter")
		r.RequestParameters = raw(`{"secretId":"app/%d/db"}`, g.rng.IntN(40))
	case n < 76:
		r.EventSource, r.EventName = "lambda.amazonaws.com", "Invoke"
		r.RequestParameters = raw(`{"functionName":"arn:aws:lambda:%s:%s:function:%s"}`, g.region, acct, g.res("function", poolFunctions))
	case n < 80:
		write("signin.amazonaws.com", "ConsoleLogin")
		r.EventType = "AwsConsoleSignIn"
		r.ResponseElements = raw(`{"ConsoleLogin":%q}`, g.pick("Success", "Success", "Failure"))
	case n < 86: // security groups
		sg := g.res("sg", poolGroups)
		write("ec2.amazonaws.com", g.pick("AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"))
		r.RequestParameters = raw(`{"groupId":%q,"ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":%d,"toPort":%d,"ipRanges":{"items":[{"cidrIp":"%d.0.0.0/8"}]}}]}}`,
			sg, 22+g.rng.IntN(3)*419, 22+g.rng.IntN(3)*419, 10+g.rng.IntN(100))
		r.ResponseElements = raw(`{"requestId":%q,"_return":true,"securityGroupRuleSet":{"items":[{"groupId":%q,"securityGroupRuleId":"sgr-%017x"}]}}`, g.uuid(), sg, g.rng.Uint64()>>4)
	case n < 90: // instances
		inst := g.res("instance", poolInstances)
		write("ec2.amazonaws.com", g.pick("StopInstances", "StartInstances", "ModifyInstanceAttribute", "CreateTags"))
		r.RequestParameters = raw(`{"instancesSet":{"items":[{"instanceId":%q}]},"force":false}`, inst)
		r.ResponseElements = raw(`{"requestId":%q,"instancesSet":{"items":[{"instanceId":%q,"currentState":{"code":64,"name":"stopping"}}]}}`, g.uuid(), inst)
	case n < 94: // IAM
		role := g.res("role", poolRoles)
		write("iam.amazonaws.com", g.pick("PutRolePolicy", "AttachRolePolicy", "UpdateAssumeRolePolicy"))
		r.AWSRegion = "us-east-1"
		r.RequestParameters = raw(`{"roleName":%q,"policyName":"inline-%d","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}`, role, g.rng.IntN(10))
	case n < 96: // load balancers
		lb := g.res("lb", poolLBs)
		write("elasticloadbalancing.amazonaws.com", g.pick("ModifyLoadBalancerAttributes", "SetSecurityGroups"))
		r.RequestParameters = raw(`{"loadBalancerArn":"arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/%s/%016x","attributes":[{"key":"access_logs.s3.enabled","value":"false"}]}`,
			g.region, acct, lb, g.rng.Uint64())
	case n < 97: // keys
		write("kms.amazonaws.com", g.pick("DisableKey", "ScheduleKeyDeletion", "EnableKeyRotation"))
		r.RequestParameters = raw(`{"keyId":%q}`, g.res("key", poolKeys))
		if g.rng.IntN(3) == 0 {
			r.ErrorCode, r.ErrorMessage = "AccessDenied", "User is not authorized to perform this operation"
		}
	case n < 99: // functions
		fn := g.res("function", poolFunctions)
		write("lambda.amazonaws.com", g.pick("UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2"))
		r.RequestParameters = raw(`{"functionName":%q,"publish":true}`, fn)
		r.ResponseElements = raw(`{"functionName":%q,"functionArn":"arn:aws:lambda:%s:%s:function:%s","runtime":"python3.12"}`, fn, g.region, acct, fn)
	default: // buckets' configuration and trails
		bucket := g.res("bucket", poolBuckets)
		write(g.pick("s3.amazonaws.com", "cloudtrail.amazonaws.com"), g.pick("PutBucketPolicy", "PutBucketPublicAccessBlock", "StopLogging"))
		r.RequestParameters = raw(`{"bucketName":%q,"Host":"%s.s3.amazonaws.com"}`, bucket, bucket)
	}
	return r
}

// corpusDays spreads events over enough days to make partitions of about
// 20,000 events, as a busy account's region produces.
func corpusDays(events int) int {
	return max(1, events/(len(corpusAccounts)*len(corpusRegions)*20_000))
}

// writeCorpus writes about events events under dir in files of up to 1,000
// records, and returns the number written. The same arguments write the
// same corpus.
func writeCorpus(dir string, events int, seed uint64) (int, error) {
	days := corpusDays(events)
	parts := days * len(corpusAccounts) * len(corpusRegions)
	per := events / parts
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for p := range parts {
		g.Go(func() error {
			day, rest := p/(len(corpusAccounts)*len(corpusRegions)), p%(len(corpusAccounts)*len(corpusRegions))
			gen := &corpusGen{
				rng:     rand.New(rand.NewPCG(seed, uint64(p))),
				account: rest / len(corpusRegions), region: corpusRegions[rest%len(corpusRegions)],
				t: corpusStart.AddDate(0, 0, day),
			}
			return gen.files(dir, per)
		})
	}
	return per * parts, g.Wait()
}

// files writes n events of one account, region and day.
func (g *corpusGen) files(dir string, n int) error {
	acct := corpusAccounts[g.account]
	day := g.t
	folder := filepath.Join(dir, "AWSLogs", acct, "CloudTrail", g.region, day.Format("2006/01/02"))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	// Spread the day's events evenly.
	step := 24 * time.Hour / time.Duration(n+1)
	for i := 0; i < n; i += 1000 {
		recs := make([]*genRecord, 0, 1000)
		for j := i; j < min(n, i+1000); j++ {
			g.t = day.Add(time.Duration(j) * step)
			recs = append(recs, g.next())
		}
		name := fmt.Sprintf("%s_CloudTrail_%s_%sZ_%s.json.gz", acct, g.region, g.t.Format("20060102T1504"), g.uuid()[:16])
		if err := writeGzipJSON(filepath.Join(folder, name), map[string]any{"Records": recs}); err != nil {
			return err
		}
	}
	return nil
}

func writeGzipJSON(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
