package controls

import (
	"testing"

	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The benchmark's own patterns must match their samples and no other's: it
// proves the samples and the filter-pattern engine together.
func TestCISPatternsMatchOnlyTheirSamples(t *testing.T) {
	for i, ev := range cisEvents {
		m, err := compileFilterPattern(ev.Pattern)
		if err != nil {
			t.Fatalf("%s: %v", ev.CIS, err)
		}
		for j, other := range cisEvents {
			for _, s := range other.Samples {
				if got := m(s.Record, s.Text); got != (i == j) {
					t.Errorf("pattern %s on sample %s %s: match = %v", ev.CIS, other.CIS, s.Record["eventName"], got)
				}
			}
		}
	}
}

func TestFilterPatterns(t *testing.T) {
	ev := sample("ec2", "RunInstances", "errorCode", "Client.UnauthorizedOperation", "requestParameters.count", 3.0,
		"responseElements", nil, "additionalEventData.flag", true, "resources", []any{map[string]any{"ARN": "arn:aws:ec2:x"}})
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{``, true},
		{`RunInstances`, true},
		{`"Client.Unauthorized" -Success`, true},
		{`RunInstances -UnauthorizedOperation`, false},
		{`?Nothing ?RunInstances`, true},
		{`?Nothing ?Else`, false},
		{`{ $.eventName = "RunInstances" }`, true},
		{`{ $.eventName = Run* }`, true},
		{`{ $.eventName = "run*" }`, false},
		{`{ $.eventName != "RunInstances" }`, false},
		{`{ $.missing != "x" }`, true},
		{`{ $.missing = "x" }`, false},
		{`{ $.errorCode = "*UnauthorizedOperation" && $.eventSource = ec2.amazonaws.com }`, true},
		{`{ ($.eventName = A) || ($.eventName = B) && ($.eventName = RunInstances) }`, false},
		{`{ ($.eventName = RunInstances) || ($.eventName = B) && ($.eventName = C) }`, true},
		{`{ (($.eventName = A) || ($.eventName = RunInstances)) && $.readOnly IS FALSE }`, true},
		{`{ $.requestParameters.count >= 3 && $.requestParameters.count < 4 }`, true},
		{`{ $.requestParameters.count > 3 }`, false},
		{`{ $.responseElements IS NULL }`, true},
		{`{ $.additionalEventData.flag IS TRUE }`, true},
		{`{ $.userIdentity.invokedBy NOT EXISTS }`, true},
		{`{ $.resources[0].ARN = "arn:aws:ec2:x" }`, true},
		{`{ $.resources[1].ARN = "arn:aws:ec2:x" }`, false},
		{`{ $.eventName = %Run[A-Z]nstances% }`, true},
	} {
		m, err := compileFilterPattern(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if got := m(ev.Record, ev.Text); got != c.want {
			t.Errorf("%s: match = %v, want %v", c.pattern, got, c.want)
		}
	}
	for _, bad := range []string{`[ip, user]`, `{ $.a = }`, `{ $.a = "x"`, `{ a = b }`, `{ $.a < x }`, `{ ($.a = b }`} {
		if _, err := compileFilterPattern(bad); err == nil {
			t.Errorf("%s: compiled", bad)
		}
	}
}

func TestEventPatterns(t *testing.T) {
	s := sample("ec2", "CreateVpc", "sourceIPAddress", "10.1.2.3", "requestParameters.cidrBlock", "10.0.0.0/16",
		"requestParameters.count", 2.0, "tags", []any{"a", "b"})
	env := s.envelope("111122223333", "eu-west-1")
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{`{"source":["aws.ec2"]}`, true},
		{`{"source":["aws.iam"]}`, false},
		{`{"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["CreateVpc","DeleteVpc"]}}`, true},
		{`{"detail":{"eventName":[{"prefix":"Create"}]}}`, true},
		{`{"detail":{"eventName":[{"suffix":"Vpc"}]}}`, true},
		{`{"detail":{"eventName":[{"prefix":{"equals-ignore-case":"createv"}}]}}`, true},
		{`{"detail":{"eventName":[{"equals-ignore-case":"createvpc"}]}}`, true},
		{`{"detail":{"eventName":[{"wildcard":"Create*c"}]}}`, true},
		{`{"detail":{"eventName":[{"anything-but":"CreateVpc"}]}}`, false},
		{`{"detail":{"eventName":[{"anything-but":["DeleteVpc"]}]}}`, true},
		{`{"detail":{"eventName":[{"anything-but":{"prefix":"Create"}}]}}`, false},
		{`{"detail":{"errorCode":[{"exists":false}]}}`, true},
		{`{"detail":{"errorCode":[{"exists":true}]}}`, false},
		{`{"detail":{"errorCode":[{"anything-but":"x"}]}}`, false},
		{`{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/8"}]}}`, true},
		{`{"detail":{"requestParameters":{"count":[{"numeric":[">",1,"<=",2]}]}}}`, true},
		{`{"detail":{"tags":["b"]}}`, true},
		{`{"region":["us-east-1"]}`, false},
		{`{"$or":[{"source":["aws.iam"]},{"detail":{"eventName":["CreateVpc"]}}]}`, true},
		{`{"detail":{"userIdentity":{"type":["Root"]}}}`, false},
	} {
		m, err := compileEventPattern(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if got := m(env); got != c.want {
			t.Errorf("%s: match = %v, want %v", c.pattern, got, c.want)
		}
	}
	for _, bad := range []string{`{"source":"aws.ec2"}`, `{"detail":{"x":[{"unknown-op":1}]}}`, `not json`, `{"$or":{"a":["b"]}}`} {
		if _, err := compileEventPattern(bad); err == nil {
			t.Errorf("%s: compiled", bad)
		}
	}
}

// A rule in the usual shape of a CIS rule sees exactly its events, and a
// rule in the ENABLED state does not see read-only calls.
func TestAlerterSeesReadOnlyCallsOnlyWhenAsked(t *testing.T) {
	m, err := compileEventPattern(`{"detail":{"userIdentity":{"userName":["honey"]}}}`)
	if err != nil {
		t.Fatal(err)
	}
	read, write := honeytokenUse("111122223333", snapshot.User{Name: "honey", Arn: "arn:aws:iam::111122223333:user/honey"})
	rule := &alerter{event: m, region: "us-east-1", state: "ENABLED"}
	if rule.sees(read, "111122223333") || !rule.sees(write, "111122223333") {
		t.Fatal("ENABLED rule: want writes only")
	}
	rule.state = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
	if !rule.sees(read, "111122223333") {
		t.Fatal("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rule does not see read-only calls")
	}
}

func TestS3DataEvents(t *testing.T) {
	adv := func(fields ...snapshot.FieldSelector) []snapshot.EventSelector {
		return []snapshot.EventSelector{{Name: "s3", Fields: fields}}
	}
	data := snapshot.FieldSelector{Field: "eventCategory", Equals: []string{"Data"}}
	objects := snapshot.FieldSelector{Field: "resources.type", Equals: []string{"AWS::S3::Object"}}
	for name, c := range map[string]struct {
		sels        []snapshot.EventSelector
		read, write bool
	}{
		"none":                {nil, false, false},
		"basic all":           {[]snapshot.EventSelector{{ReadWrite: "All", DataResources: []snapshot.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}}}}, true, true},
		"basic read only":     {[]snapshot.EventSelector{{ReadWrite: "ReadOnly", DataResources: []snapshot.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::"}}}}}, true, false},
		"basic one bucket":    {[]snapshot.EventSelector{{ReadWrite: "All", DataResources: []snapshot.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::logs/"}}}}}, false, false},
		"basic lambda":        {[]snapshot.EventSelector{{ReadWrite: "All", DataResources: []snapshot.DataResource{{Type: "AWS::Lambda::Function", Values: []string{"arn:aws:lambda"}}}}}, false, false},
		"advanced all":        {adv(data, objects), true, true},
		"advanced writes":     {adv(data, objects, snapshot.FieldSelector{Field: "readOnly", Equals: []string{"false"}}), false, true},
		"advanced all prefix": {adv(data, objects, snapshot.FieldSelector{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::"}}), true, true},
		"advanced one bucket": {adv(data, objects, snapshot.FieldSelector{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::logs/"}}), false, false},
		"advanced some calls": {adv(data, objects, snapshot.FieldSelector{Field: "eventName", Equals: []string{"PutObject"}}), false, false},
		"advanced excluding":  {adv(data, objects, snapshot.FieldSelector{Field: "resources.ARN", NotStartsWith: []string{"arn:aws:s3:::x/"}}), false, false},
		"advanced management": {adv(snapshot.FieldSelector{Field: "eventCategory", Equals: []string{"Management"}}), false, false},
	} {
		if r, w := s3DataEvents(c.sels); r != c.read || w != c.write {
			t.Errorf("%s: read, write = %v, %v; want %v, %v", name, r, w, c.read, c.write)
		}
	}
}

func TestSampleEnvelopes(t *testing.T) {
	env := consoleLogin().envelope("111122223333", "us-east-1")
	b, _ := json.Marshal(env)
	if env["detail-type"] != "AWS Console Sign In via CloudTrail" || env["source"] != "aws.signin" {
		t.Fatalf("envelope = %s", b)
	}
}
