package index

import (
	"slices"
	"strings"
	"testing"
)

func TestEventRefs(t *testing.T) {
	for _, tc := range []struct {
		name                         string
		resources, request, response string
		want                         []string
	}{
		{
			name:     "security group rule: the group and the rule, not the request id",
			request:  `{"groupId":"sg-003dc7f1f1c686164","ipPermissions":{"items":[{"fromPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`,
			response: `{"requestId":"dc1dabbf-d7cb-4966-a3de-ac69d5cfc633","_return":true,"securityGroupRuleSet":{"items":[{"groupOwnerId":"032092706103","securityGroupRuleId":"sgr-09b3e3d2ca1edf2a2"}]}}`,
			want:     []string{"sg-003dc7f1f1c686164", "sgr-09b3e3d2ca1edf2a2"},
		},
		{
			name:    "ids in item lists under any key",
			request: `{"instancesSet":{"items":[{"instanceId":"i-0123456789abcdef0"}]},"filterSet":{"items":[{"value":"vol-0123456789abcdef0"}]}}`,
			want:    []string{"i-0123456789abcdef0", "vol-0123456789abcdef0"},
		},
		{
			name:    "load balancer ARN: the ARN and the balancer's name",
			request: `{"loadBalancerArn":"arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web-lb/50dc6c495c0c9188","attributes":[{"key":"access_logs.s3.enabled","value":"false"}]}`,
			want:    []string{"arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web-lb/50dc6c495c0c9188", "web-lb"},
		},
		{
			name:      "resources: their ARNs (an object's gives its bucket), not their accounts",
			resources: `[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::logs/a/b.json"},{"accountId":"111111111111","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::logs"}]`,
			request:   `{"bucketName":"logs","Host":"logs.s3.amazonaws.com","key":"a/b.json"}`,
			want:      []string{"arn:aws:s3:::logs", "arn:aws:s3:::logs/a/b.json", "logs"},
		},
		{
			name:    "names by key; documents and escaped strings are not refs",
			request: `{"roleName":"ci-deployer","policyName":"inline","policyDocument":"{\"Version\":\"2012-10-17\"}","functionName":"fn:1"}`,
			want:    []string{"ci-deployer", "fn:1", "inline"},
		},
		{
			name:    "role ARN with a path, lambda function ARN with a qualifier",
			request: `{"roleArn":"arn:aws:iam::111111111111:role/service/app-role","functionName":"arn:aws:lambda:eu-west-1:111111111111:function:fn-1:prod"}`,
			want:    []string{"app-role", "arn:aws:iam::111111111111:role/service/app-role", "arn:aws:lambda:eu-west-1:111111111111:function:fn-1:prod", "fn-1"},
		},
		{
			name:    "an account moved in the organization is a ref",
			request: `{"accountId":"222222222222","sourceParentId":"r-abcd","destinationParentId":"ou-abcd-12345678"}`,
			want:    []string{"222222222222", "ou-abcd-12345678", "r-abcd"},
		},
		{
			name:     "nothing named",
			request:  `null`,
			response: `{"ConsoleLogin":"Success"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := eventRefs(resourceARNs([]byte(tc.resources)), []byte(tc.request), []byte(tc.response))
			if !slices.Equal(got, tc.want) {
				t.Errorf("refs = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDataEventsNameOnlyObjects(t *testing.T) {
	got := objectARNs([]string{"arn:aws:s3:::logs/a/b.json", "arn:aws:s3:::logs", "arn:aws-cn:s3:::cn-logs/k",
		"arn:aws:lambda:eu-west-1:111111111111:function:fn", "arn:aws:dynamodb:eu-west-1:111111111111:table/t"})
	if want := []string{"arn:aws:s3:::logs/a/b.json", "arn:aws-cn:s3:::cn-logs/k"}; !slices.Equal(got, want) {
		t.Errorf("refs of a data event %q, want %q", got, want)
	}
}

func TestLookups(t *testing.T) {
	got := lookups("arn:aws:iam::111111111111:role/path/app-role")
	want := []lookup{{Ref: "arn:aws:iam::111111111111:role/path/app-role"}, {Ref: "app-role", Account: "111111111111"}}
	if !slices.Equal(got, want) {
		t.Errorf("lookups = %+v, want %+v", got, want)
	}
	if got := lookups("sg-0123"); !slices.Equal(got, []lookup{{Ref: "sg-0123"}}) {
		t.Errorf("lookups(id) = %+v", got)
	}
	// An S3 ARN has no account: its bucket name matches in any account.
	if got := lookups("arn:aws:s3:::logs"); !slices.Equal(got, []lookup{{Ref: "arn:aws:s3:::logs"}, {Ref: "logs"}}) {
		t.Errorf("lookups(s3) = %+v", got)
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct{ request, want string }{
		{`{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]},"dryRun":null}`,
			`AuthorizeSecurityGroupIngress(groupId=sg-1, ipProtocol=tcp, fromPort=22, cidrIp=0.0.0.0/0)`},
		{`null`, `AuthorizeSecurityGroupIngress`},
		{`{"description":"a \"quoted\" value"}`, `AuthorizeSecurityGroupIngress(description=a "quoted" value)`},
	} {
		if got := summarize("AuthorizeSecurityGroupIngress", []byte(tc.request)); got != tc.want {
			t.Errorf("summarize(%s) = %s, want %s", tc.request, got, tc.want)
		}
	}
	long := `{"a":"` + strings.Repeat("y", 500) + `","b":"` + strings.Repeat("z", 100) + `","c":"` + strings.Repeat("w", 100) + `","d":"v"}`
	got := summarize("E", []byte(long))
	if len(got) > summaryMax+summaryValueMax+16 || !strings.HasSuffix(got, ", …)") {
		t.Errorf("summary of %d bytes: %s", len(got), got)
	}
}

func TestMembersSkipsNestedValuesAndEscapes(t *testing.T) {
	obj := `{"a": {"x": "}\"{", "y": [1, {"z": "]"}]}, "b" : "q\\\"", "c": [ ], "d": -1.5e3, "e": true}`
	var keys, vals []string
	members([]byte(obj), func(k, v []byte) bool {
		keys, vals = append(keys, string(k)), append(vals, string(v))
		return true
	})
	wantKeys := []string{"a", "b", "c", "d", "e"}
	wantVals := []string{`{"x": "}\"{", "y": [1, {"z": "]"}]}`, `"q\\\""`, `[ ]`, `-1.5e3`, `true`}
	if !slices.Equal(keys, wantKeys) || !slices.Equal(vals, wantVals) {
		t.Errorf("members: keys %q values %q", keys, vals)
	}
	// Truncated or garbled input ends the walk without a panic.
	for i := range len(obj) {
		members([]byte(obj[:i]), func(k, v []byte) bool { return true })
		leaves(nil, []byte(obj[:i]), func(k, v []byte) {})
	}
}

func TestNextStructural(t *testing.T) {
	s := []byte(`abcdefgh_y[ijklmnopqrstuvwxyz0123]"`)
	var got []byte
	for i := nextStructural(s, 0); i < len(s); i = nextStructural(s, i+1) {
		got = append(got, s[i])
	}
	if string(got) != `[]"` {
		t.Errorf("structural bytes %q", got)
	}
}
