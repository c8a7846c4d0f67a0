package sigma

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
)

func TestMatchSemantics(t *testing.T) {
	tests := []struct {
		name      string
		detection string
		event     string
		want      bool
	}{
		// Field paths.
		{"nested path", "sel:\n  userIdentity.type: IAMUser\ncondition: sel", `{"userIdentity":{"type":"IAMUser"}}`, true},
		{"nested path absent", "sel:\n  userIdentity.type: IAMUser\ncondition: sel", `{"userIdentity":{"arn":"x"}}`, false},
		{"path through array, any element", "sel:\n  resources.ARN: 'arn:b'\ncondition: sel", `{"resources":[{"ARN":"arn:a"},{"ARN":"arn:b"}]}`, true},
		{"path through array, no element", "sel:\n  resources.ARN: 'arn:b'\ncondition: sel", `{"resources":[{"ARN":"arn:a"},{"type":"x"}]}`, false},
		{"leaf array, any element", "sel:\n  tags: prod\ncondition: sel", `{"tags":["dev","PROD"]}`, true},
		{"path into a scalar", "sel:\n  eventName.x: a\ncondition: sel", `{"eventName":"a"}`, false},
		{"field names are case-sensitive", "sel:\n  EventName: a\ncondition: sel", `{"eventName":"a"}`, false},

		// Case, numbers and booleans.
		{"equality folds case", "sel:\n  eventName: consolelogin\ncondition: sel", `{"eventName":"ConsoleLogin"}`, true},
		{"cased modifier", "sel:\n  eventName|cased: consolelogin\ncondition: sel", `{"eventName":"ConsoleLogin"}`, false},
		{"cased modifier exact", "sel:\n  eventName|cased: ConsoleLogin\ncondition: sel", `{"eventName":"ConsoleLogin"}`, true},
		{"MFAUsed NO vs No", "sel:\n  additionalEventData.MFAUsed: 'NO'\ncondition: sel", `{"additionalEventData":{"MFAUsed":"No"}}`, true},
		{"unquoted No stays a string", "sel:\n  additionalEventData.MFAUsed: No\ncondition: sel", `{"additionalEventData":{"MFAUsed":"No"}}`, true},
		{"string 'true' vs JSON true", "sel:\n  ok: 'true'\ncondition: sel", `{"ok":true}`, true},
		{"string 'true' vs JSON false", "sel:\n  ok: 'true'\ncondition: sel", `{"ok":false}`, false},
		{"YAML false vs JSON false", "sel:\n  ok: false\ncondition: sel", `{"ok":false}`, true},
		{"YAML false vs string False", "sel:\n  ok: false\ncondition: sel", `{"ok":"False"}`, true},
		{"number vs number", "sel:\n  port: 443\ncondition: sel", `{"port":443}`, true},
		{"number vs numeric string", "sel:\n  port: 443\ncondition: sel", `{"port":"443"}`, true},
		{"number 443.0 vs 443", "sel:\n  port: 443.0\ncondition: sel", `{"port":443}`, true},
		{"number mismatch", "sel:\n  port: 443\ncondition: sel", `{"port":4430}`, false},
		{"wildcard over a number", "sel:\n  port: '44*'\ncondition: sel", `{"port":443}`, true},
		{"big account id number", "sel:\n  account: '123456789012'\ncondition: sel", `{"account":123456789012}`, true},

		// null.
		{"null: absent", "sel:\n  errorCode: null\ncondition: sel", `{"eventName":"x"}`, true},
		{"null: JSON null", "sel:\n  errorCode: null\ncondition: sel", `{"errorCode":null}`, true},
		{"null: empty string is present", "sel:\n  errorCode: null\ncondition: sel", `{"errorCode":""}`, false},
		{"null: value present", "sel:\n  errorCode: null\ncondition: sel", `{"errorCode":"AccessDenied"}`, false},
		{"null: nested parent missing", "sel:\n  a.b.c: null\ncondition: sel", `{"a":{"x":1}}`, true},
		{"null in a list", "sel:\n  errorCode:\n    - null\n    - Success\ncondition: sel", `{"errorCode":"Success"}`, true},
		{"not null", "sel:\n  errorCode: null\ncondition: not sel", `{"errorCode":"AccessDenied"}`, true},
		{"empty object is present", "sel:\n  requestParameters: null\ncondition: sel", `{"requestParameters":{}}`, false},

		// Lists, maps.
		{"list is OR", "sel:\n  eventName: [StopLogging, DeleteTrail]\ncondition: sel", `{"eventName":"DeleteTrail"}`, true},
		{"list is OR, miss", "sel:\n  eventName: [StopLogging, DeleteTrail]\ncondition: sel", `{"eventName":"StartLogging"}`, false},
		{"map is AND", "sel:\n  a: 1\n  b: 2\ncondition: sel", `{"a":1,"b":3}`, false},
		{"map is AND, hit", "sel:\n  a: 1\n  b: 2\ncondition: sel", `{"a":1,"b":2}`, true},
		{"list of maps is OR", "sel:\n  - a: 1\n  - b: 2\ncondition: sel", `{"a":0,"b":2}`, true},
		{"list of maps is OR, miss", "sel:\n  - a: 1\n    c: 1\n  - b: 2\ncondition: sel", `{"a":1,"b":0}`, false},
		{"all modifier", "sel:\n  ua|contains|all: [boto3, python]\ncondition: sel", `{"ua":"Boto3/1.2 Python/3.11"}`, true},
		{"all modifier, one missing", "sel:\n  ua|contains|all: [boto3, java]\ncondition: sel", `{"ua":"Boto3/1.2 Python/3.11"}`, false},

		// Wildcards and escapes.
		{"prefix wildcard", "sel:\n  ua: 'aws-cli/*'\ncondition: sel", `{"ua":"AWS-CLI/2.17"}`, true},
		{"infix wildcards", "sel:\n  ua: '*boto3*'\ncondition: sel", `{"ua":"x Boto3/1 y"}`, true},
		{"question mark", "sel:\n  v: 'a?c'\ncondition: sel", `{"v":"abc"}`, true},
		{"question mark needs one char", "sel:\n  v: 'a?c'\ncondition: sel", `{"v":"ac"}`, false},
		{"glob with several stars", "sel:\n  v: 'a*b*c'\ncondition: sel", `{"v":"AxxBxxC"}`, true},
		{"glob with several stars, miss", "sel:\n  v: 'a*b*c'\ncondition: sel", `{"v":"axxcxxb"}`, false},
		{"escaped star is literal", "sel:\n  v: 'a\\*c'\ncondition: sel", `{"v":"a*c"}`, true},
		{"escaped star is not a wildcard", "sel:\n  v: 'a\\*c'\ncondition: sel", `{"v":"abc"}`, false},
		{"escaped question mark", "sel:\n  v: 'a\\?'\ncondition: sel", `{"v":"ab"}`, false},
		{`\W is literal, \* escapes`, "sel:\n  v: 'C:\\Windows\\*'\ncondition: sel", `{"v":"C:\\Windows*"}`, true},
		{`\\* is a backslash then a wildcard`, "sel:\n  v: 'C:\\Windows\\\\*'\ncondition: sel", `{"v":"C:\\Windows\\system32"}`, true},
		{"unicode folding", "sel:\n  v: 'ÉTÉ*'\ncondition: sel", `{"v":"été 2024"}`, true},
		{"lone star needs a value", "sel:\n  v: '*'\ncondition: sel", `{"w":"x"}`, false},
		{"lone star matches empty string", "sel:\n  v: '*'\ncondition: sel", `{"v":""}`, true},

		// String modifiers.
		{"contains", "sel:\n  ua|contains: 'S3 Browser'\ncondition: sel", `{"ua":"x s3 browser 9"}`, true},
		{"startswith", "sel:\n  eventName|startswith: UpdateFunctionConfiguration\ncondition: sel", `{"eventName":"UpdateFunctionConfiguration20150331v2"}`, true},
		{"startswith miss", "sel:\n  eventName|startswith: UpdateFunctionConfiguration\ncondition: sel", `{"eventName":"GetUpdateFunctionConfiguration"}`, false},
		{"endswith", "sel:\n  arn|endswith: ':root'\ncondition: sel", `{"arn":"arn:aws:iam::1:ROOT"}`, true},
		{"contains keeps inner wildcards", "sel:\n  v|contains: 'a*c'\ncondition: sel", `{"v":"xxabbbcxx"}`, true},
		{"contains '*' on absent field", "sel:\n  errorMessage|contains: '*'\ncondition: sel", `{"x":1}`, false},
		{"contains '*' on present field", "sel:\n  errorMessage|contains: '*'\ncondition: sel", `{"errorMessage":"denied"}`, true},

		// Objects and arrays as values.
		{"contains over an object", "sel:\n  requestParameters|contains: Suspended\ncondition: sel",
			`{"requestParameters":{"VersioningConfiguration":{"Status":"Suspended"}}}`, true},
		{"contains over an object's JSON text", "sel:\n  requestParameters|contains: '\"Status\":\"Suspended\"'\ncondition: sel",
			`{"requestParameters":{"VersioningConfiguration":{"Status":"Suspended"}}}`, true},
		{"JSON text is not HTML-escaped", "sel:\n  requestParameters|contains: '{\"a\":\"<b>\"}'\ncondition: sel",
			`{"requestParameters":{"a":"<b>"}}`, true},
		{"contains over an object, miss", "sel:\n  requestParameters|contains: Suspended\ncondition: sel",
			`{"requestParameters":{"VersioningConfiguration":{"Status":"Enabled"}}}`, false},
		{"contains over an array's JSON text", "sel:\n  list|contains: '\"a\",\"b\"'\ncondition: sel", `{"list":["a","b"]}`, true},
		{"contains '*' on empty array", "sel:\n  layers|contains: '*'\ncondition: sel", `{"layers":[]}`, false},
		{"contains '*' on non-empty array", "sel:\n  layers|contains: '*'\ncondition: sel", `{"layers":["arn:x"]}`, true},
		{"exact over an object never sees nulls", "sel:\n  o: x\ncondition: sel", `{"o":{"a":null}}`, false},

		// Other modifiers.
		{"re", "sel:\n  arn|re: '.+:assumed-role/aws:.+'\ncondition: sel", `{"arn":"arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}`, true},
		{"re is case-sensitive", "sel:\n  v|re: '^ABC'\ncondition: sel", `{"v":"abc"}`, false},
		{"re|i", "sel:\n  v|re|i: '^ABC'\ncondition: sel", `{"v":"abc"}`, true},
		{"re is unanchored", "sel:\n  v|re: 'b+'\ncondition: sel", `{"v":"abbbc"}`, true},
		{"re|s dot matches newline", "sel:\n  v|re|s: 'a.b'\ncondition: sel", `{"v":"a\nb"}`, true},
		{"re with required literal, miss", "sel:\n  v|re: 'x[0-9]+:assumed'\ncondition: sel", `{"v":"x12:assume"}`, false},
		{"cidr v4", "sel:\n  sourceIPAddress|cidr: 10.0.0.0/8\ncondition: sel", `{"sourceIPAddress":"10.1.2.3"}`, true},
		{"cidr v4 miss", "sel:\n  sourceIPAddress|cidr: 10.0.0.0/8\ncondition: sel", `{"sourceIPAddress":"11.1.2.3"}`, false},
		{"cidr on a service name", "sel:\n  sourceIPAddress|cidr: 0.0.0.0/0\ncondition: sel", `{"sourceIPAddress":"AWS Internal"}`, false},
		{"cidr v6 list", "sel:\n  ip|cidr: [10.0.0.0/8, '2001:db8::/32']\ncondition: sel", `{"ip":"2001:db8::1"}`, true},
		{"fieldref equal", "sel:\n  userIdentity.userName|fieldref: requestParameters.userName\ncondition: sel",
			`{"userIdentity":{"userName":"Alice"},"requestParameters":{"userName":"alice"}}`, true},
		{"fieldref different", "sel:\n  userIdentity.userName|fieldref: requestParameters.userName\ncondition: sel",
			`{"userIdentity":{"userName":"alice"},"requestParameters":{"userName":"bob"}}`, false},
		{"fieldref other absent", "sel:\n  userIdentity.userName|fieldref: requestParameters.userName\ncondition: sel",
			`{"userIdentity":{"userName":"alice"}}`, false},
		{"fieldref endswith", "sel:\n  userIdentity.arn|fieldref|endswith: requestParameters.userName\ncondition: sel",
			`{"userIdentity":{"arn":"arn:aws:iam::1:user/alice"},"requestParameters":{"userName":"alice"}}`, true},
		{"exists true", "sel:\n  errorCode|exists: true\ncondition: sel", `{"errorCode":"x"}`, true},
		{"exists true, null", "sel:\n  errorCode|exists: true\ncondition: sel", `{"errorCode":null}`, false},
		{"exists true, empty object", "sel:\n  o|exists: true\ncondition: sel", `{"o":{}}`, true},
		{"exists false", "sel:\n  errorCode|exists: false\ncondition: sel", `{"x":1}`, true},
		{"gt", "sel:\n  n|gt: 5\ncondition: sel", `{"n":6}`, true},
		{"gt equal", "sel:\n  n|gt: 5\ncondition: sel", `{"n":5}`, false},
		{"lte numeric string", "sel:\n  n|lte: 5\ncondition: sel", `{"n":"4.5"}`, true},
		{"base64", "sel:\n  v|base64: secret\ncondition: sel", `{"v":"c2VjcmV0"}`, true},
		{"windash", "sel:\n  cmd|windash|contains: ' -enc '\ncondition: sel", `{"cmd":"powershell /enc x"}`, true},
		{"wide|base64", "sel:\n  v|wide|base64: ab\ncondition: sel", `{"v":"YQBiAA=="}`, true},

		// Keywords.
		{"keywords", "keywords:\n  - evil\n  - 'bad*thing'\ncondition: keywords", `{"a":{"b":"a BAD old thing"}}`, true},
		{"keywords miss", "keywords:\n  - evil\ncondition: keywords", `{"a":"good"}`, false},
		{"keyword scalar", "kw: AKIA\ncondition: kw", `{"k":"xAKIAy"}`, true},
		{"keywords with all", "kw:\n  '|all':\n    - alpha\n    - beta\ncondition: kw", `{"a":"alpha","b":"beta"}`, true},
		{"keywords with all, miss", "kw:\n  '|all':\n    - alpha\n    - gamma\ncondition: kw", `{"a":"alpha","b":"beta"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := detectionRule(t, tc.detection)
			if got := r.Match(decodeEvent(t, tc.event)); got != tc.want {
				t.Errorf("Match(%s) = %v, want %v\n%s", tc.event, got, tc.want, tc.detection)
			}
		})
	}
}

func TestMatchJSONNumber(t *testing.T) {
	d := json.NewDecoder(bytes.NewReader([]byte(`{"port":443,"ratio":0.5}`)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	ev := &MapEvent{Fields: m}
	for detection, want := range map[string]bool{
		"sel:\n  port: 443\ncondition: sel":      true,
		"sel:\n  port: '443.00'\ncondition: sel": true,
		"sel:\n  port|gte: 443\ncondition: sel":  true,
		"sel:\n  ratio: 0.5\ncondition: sel":     true,
		"sel:\n  ratio: '0.5*'\ncondition: sel":  true,
		"sel:\n  port: 80\ncondition: sel":       false,
	} {
		if got := detectionRule(t, detection).Match(ev); got != want {
			t.Errorf("%q: got %v, want %v", detection, got, want)
		}
	}
}

func TestBase64Offset(t *testing.T) {
	r := detectionRule(t, "sel:\n  v|base64offset|contains: secret\ncondition: sel")
	for offset := range 3 {
		text := base64.StdEncoding.EncodeToString([]byte("xyz"[:offset] + "the secret is out"))
		if !r.Match(&MapEvent{Fields: map[string]any{"v": text}}) {
			t.Errorf("offset %d: %s not matched", offset, text)
		}
	}
	miss := base64.StdEncoding.EncodeToString([]byte("the secrex is out"))
	if r.Match(&MapEvent{Fields: map[string]any{"v": miss}}) {
		t.Errorf("%s matched", miss)
	}
}

func TestKeywordsUseRawJSON(t *testing.T) {
	r := detectionRule(t, "kw:\n  - needle\ncondition: kw")
	ev := &MapEvent{Fields: map[string]any{"a": "hay"}, Raw: []byte(`{"a":"hay","b":"needle"}`)}
	if !r.Match(ev) {
		t.Error("keyword search should read Raw")
	}
}

// customEvent resolves only the first path element, leaving the rest to the
// engine, as a minimal Event implementation may.
type customEvent map[string]any

func (c customEvent) Lookup(path []string) (any, int) {
	v, ok := c[path[0]]
	if !ok {
		return nil, 0
	}
	return v, 1
}

func (c customEvent) JSON() []byte { return nil }

func TestMinimalEventImplementation(t *testing.T) {
	r := detectionRule(t, "sel:\n  userIdentity.sessionContext.sessionIssuer.type: Role\n  n: 5\ncondition: sel")
	ev := customEvent{
		"userIdentity": map[string]any{"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role"}}},
		"n":            int64(5),
	}
	if !r.Match(ev) {
		t.Error("engine should walk the remaining path")
	}
	if detectionRule(t, "kw: Role\ncondition: kw").Match(ev) {
		t.Error("keywords cannot match without JSON")
	}
}
