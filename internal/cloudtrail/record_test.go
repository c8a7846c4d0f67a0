package cloudtrail

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sync"
	"testing"
	"time"
)

var sessionARN = regexp.MustCompile(`^arn:([^:]*):sts:[^:]*:([^:]*):assumed-role/([^/]+)/`)

// oracleRecord computes a Record's fields from an encoding/json map, the slow
// obvious way.
func oracleRecord(t testing.TB, m map[string]any) *Record {
	t.Helper()
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		return s
	}
	obj := func(m map[string]any, k string) map[string]any {
		o, _ := m[k].(map[string]any)
		return o
	}
	ui := obj(m, "userIdentity")
	r := &Record{
		EventID:         str(m, "eventID"),
		EventName:       str(m, "eventName"),
		EventSource:     str(m, "eventSource"),
		EventType:       str(m, "eventType"),
		AWSRegion:       str(m, "awsRegion"),
		AccountID:       str(m, "recipientAccountId"),
		IdentityType:    str(ui, "type"),
		PrincipalARN:    str(ui, "arn"),
		AccessKeyID:     str(ui, "accessKeyId"),
		SourceIPAddress: str(m, "sourceIPAddress"),
		UserAgent:       str(m, "userAgent"),
		ErrorCode:       str(m, "errorCode"),
	}
	r.ReadOnly, _ = m["readOnly"].(bool)
	if s, ok := m["readOnly"].(string); ok {
		r.ReadOnly = s == "true"
	}
	if ts := str(m, "eventTime"); ts != "" {
		tm, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			t.Fatalf("oracle: eventTime %q: %v", ts, err)
		}
		r.EventTime = tm.UTC()
	}
	if r.AccountID == "" {
		r.AccountID = str(ui, "accountId")
	}
	switch r.IdentityType {
	case "AssumedRole":
		issuer := obj(obj(ui, "sessionContext"), "sessionIssuer")
		if str(issuer, "type") == "Role" && str(issuer, "arn") != "" {
			r.RoleARN = str(issuer, "arn")
		} else if m := sessionARN.FindStringSubmatch(r.PrincipalARN); m != nil {
			r.RoleARN = "arn:" + m[1] + ":iam::" + m[2] + ":role/" + m[3]
		}
	case "Root":
		if r.PrincipalARN == "" && str(ui, "accountId") != "" {
			r.PrincipalARN = "arn:aws:iam::" + str(ui, "accountId") + ":root"
		}
	}
	return r
}

func sameFields(a, b *Record) bool {
	return a.EventID == b.EventID && a.EventTime.Equal(b.EventTime) && a.EventName == b.EventName &&
		a.EventSource == b.EventSource && a.EventType == b.EventType && a.AWSRegion == b.AWSRegion &&
		a.AccountID == b.AccountID && a.IdentityType == b.IdentityType && a.PrincipalARN == b.PrincipalARN &&
		a.RoleARN == b.RoleARN && a.AccessKeyID == b.AccessKeyID && a.SourceIPAddress == b.SourceIPAddress &&
		a.UserAgent == b.UserAgent && a.ErrorCode == b.ErrorCode && a.ReadOnly == b.ReadOnly
}

// TestParseRecordSamples compares the hand parser with encoding/json on every
// real sample record.
func TestParseRecordSamples(t *testing.T) {
	roles := 0
	for _, path := range sampleFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raws, err := splitAll(NewSplitter(bytes.NewReader(data), path))
		if err != nil {
			t.Fatal(err)
		}
		for i, raw := range raws {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			want := oracleRecord(t, m)
			got, err := ParseRecord(raw)
			if err != nil {
				t.Fatalf("%s record %d: %v", filepath.Base(path), i, err)
			}
			if !sameFields(got, want) {
				t.Fatalf("%s record %d:\n got %+v\nwant %+v", filepath.Base(path), i, got, want)
			}
			if got.RoleARN != "" {
				roles++
			}
		}
	}
	if roles == 0 {
		t.Fatal("no sample exercised an assumed role")
	}
}

func TestParseRecordFields(t *testing.T) {
	raw := []byte(`{
	  "eventVersion": "1.08",
	  "userIdentity": {"type": "AssumedRole", "principalId": "AROA:s", "arn": "arn:aws-cn:sts::111122223333:assumed-role/Admin/alice",
	    "accountId": "111122223333", "accessKeyId": "ASIAX",
	    "sessionContext": {"attributes": {"mfaAuthenticated": "true"}, "sessionIssuer": {"type": "Role", "arn": "arn:aws-cn:iam::111122223333:role/ops/Admin"}}},
	  "eventTime": "2024-02-29T23:59:59Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy",
	  "awsRegion": "cn-north-1", "sourceIPAddress": "10.0.0.1",
	  "userAgent": "agent \"quoted\" \u00e9 {brace}", "errorCode": null,
	  "requestParameters": {"eventID": "not-this-one", "userIdentity": {"arn": "nor-this"}},
	  "readOnly": false, "eventID": "e1", "eventType": "AwsApiCall", "recipientAccountId": "444455556666"
	}`)
	r, err := ParseRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := &Record{
		EventID: "e1", EventTime: time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), EventName: "PutBucketPolicy",
		EventSource: "s3.amazonaws.com", EventType: "AwsApiCall", AWSRegion: "cn-north-1", AccountID: "444455556666",
		IdentityType: "AssumedRole", PrincipalARN: "arn:aws-cn:sts::111122223333:assumed-role/Admin/alice",
		RoleARN: "arn:aws-cn:iam::111122223333:role/ops/Admin", AccessKeyID: "ASIAX", SourceIPAddress: "10.0.0.1",
		UserAgent: `agent "quoted" é {brace}`,
	}
	if !sameFields(r, want) {
		t.Fatalf("got  %+v\nwant %+v", r, want)
	}
	if !bytes.Equal(r.Raw, raw) {
		t.Fatal("Raw is not the input")
	}
}

func TestParseRecordIdentities(t *testing.T) {
	for _, tc := range []struct {
		name, identity, region string
		principal, role, acct  string
	}{
		{"root without arn", `{"type":"Root","accountId":"123456789012"}`, "us-east-1",
			"arn:aws:iam::123456789012:root", "", "123456789012"},
		{"root in govcloud", `{"type":"Root","accountId":"123456789012"}`, "us-gov-west-1",
			"arn:aws-us-gov:iam::123456789012:root", "", "123456789012"},
		{"root with arn", `{"type":"Root","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"}`, "us-east-1",
			"arn:aws:iam::123456789012:root", "", "123456789012"},
		{"assumed role without issuer", `{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/R/s@x.com"}`, "eu-west-1",
			"arn:aws:sts::123456789012:assumed-role/R/s@x.com", "arn:aws:iam::123456789012:role/R", ""},
		{"null identity", `null`, "eu-west-1", "", "", ""},
		{"service", `{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}`, "eu-west-1", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRecord([]byte(`{"awsRegion":"` + tc.region + `","userIdentity":` + tc.identity + `}`))
			if err != nil {
				t.Fatal(err)
			}
			if r.PrincipalARN != tc.principal || r.RoleARN != tc.role || r.AccountID != tc.acct {
				t.Fatalf("principal %q role %q account %q", r.PrincipalARN, r.RoleARN, r.AccountID)
			}
		})
	}
}

func TestRoleARNFromSession(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:sts::123456789012:assumed-role/Admin/alice":       "arn:aws:iam::123456789012:role/Admin",
		"arn:aws-cn:sts::123456789012:assumed-role/A.b-c_d/i-0abc": "arn:aws-cn:iam::123456789012:role/A.b-c_d",
		"arn:aws:iam::123456789012:user/alice":                     "",
		"arn:aws:sts::123456789012:federated-user/bob":             "",
		"arn:aws:sts::123456789012:assumed-role/NoSession":         "",
		"": "",
	} {
		if got := RoleARNFromSession(in); got != want {
			t.Errorf("RoleARNFromSession(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRecordErrors(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `{"eventID":}`, `{"eventID":5}`, `{"eventID":"x"`, `{"eventID":"x"} extra`,
		`{"eventTime":"yesterday"}`, `{"eventTime":"2024-02-30T00:00:00Z"}`, `{"readOnly":"maybe"}`,
		`{"userIdentity":"root"}`, `{"a":[1,2}`, `{"userAgent":"bad \q escape"}`, `{"a":` + "\x01" + `}`,
	} {
		if _, err := ParseRecord([]byte(in)); err == nil {
			t.Errorf("ParseRecord(%q) succeeded", in)
		}
	}
}

func TestParseRecordTimes(t *testing.T) {
	for in, want := range map[string]time.Time{
		`"2024-07-31T13:06:24Z"`:           time.Date(2024, 7, 31, 13, 6, 24, 0, time.UTC),
		`"2024-07-31T13:06:24.5Z"`:         time.Date(2024, 7, 31, 13, 6, 24, 5e8, time.UTC),
		`"2024-07-31T15:06:24+02:00"`:      time.Date(2024, 7, 31, 13, 6, 24, 0, time.UTC),
		`null`:                             {},
		`"2023-12-31T23:59:59Z"`:           time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC),
		`"2024-02-29T00:00:00Z"`:           time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		`"2024-07-31T13:06:24.123456789Z"`: time.Date(2024, 7, 31, 13, 6, 24, 123456789, time.UTC),
	} {
		r, err := ParseRecord([]byte(`{"eventTime":` + in + `}`))
		if err != nil || !r.EventTime.Equal(want) || r.EventTime.Location() != time.UTC {
			t.Errorf("eventTime %s: got %v, %v; want %v", in, r.EventTime, err, want)
		}
	}
}

func TestRecordFieldsOnce(t *testing.T) {
	r, err := ParseRecord([]byte(`{"eventID":"1","requestParameters":{"bucketName":"b","n":[1,2]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	maps := make([]map[string]any, 8)
	for i := range maps {
		wg.Go(func() {
			m, err := r.Fields()
			if err != nil {
				t.Error(err)
			}
			maps[i] = m
		})
	}
	wg.Wait()
	rp, _ := maps[0]["requestParameters"].(map[string]any)
	if rp["bucketName"] != "b" {
		t.Fatalf("fields %v", maps[0])
	}
	for _, m := range maps[1:] {
		if reflect.ValueOf(m).UnsafePointer() != reflect.ValueOf(maps[0]).UnsafePointer() {
			t.Fatal("Fields decoded twice")
		}
	}
	bad, _ := ParseRecord([]byte(`{"eventID":"1","x":tru}`))
	if _, err := bad.Fields(); err == nil {
		t.Fatal("Fields accepted invalid JSON")
	}
}

// FuzzParseRecord: the parser never panics; on valid JSON it agrees with
// encoding/json, and the splitter's fast path agrees with the plain one.
func FuzzParseRecord(f *testing.F) {
	f.Add([]byte(`{"eventID":"1","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/s"},"readOnly":true}`))
	f.Add([]byte(`{"eventTime":"2024-02-29T00:00:00Z","requestParameters":{"a":[1,{"b":"}"}]},"eventName":"X\"Y"}`))
	f.Add([]byte(`{"userIdentity":null,"errorCode":null,"userAgent":"\u00e9\\"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := ParseRecord(raw)
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil {
			if want := oracleRecordLenient(m); want != nil && !sameFields(r, want) {
				t.Fatalf("got %+v\nwant %+v", r, want)
			}
		}
		s := NewSplitter(bytes.NewReader(raw), "fuzz")
		fast, err := s.NextRecord()
		if err == nil && !sameFields(fast, r) {
			t.Fatalf("fast path %+v\nplain %+v", fast, r)
		}
	})
}

// oracleRecordLenient is oracleRecord for fuzzed input, or nil where the
// fields have types the parser rejects or encoding/json reads differently.
func oracleRecordLenient(m map[string]any) *Record {
	for _, k := range []string{"eventID", "eventName", "eventSource", "eventType", "awsRegion", "recipientAccountId", "sourceIPAddress", "userAgent", "errorCode", "eventTime"} {
		if v, ok := m[k]; ok && v != nil {
			if _, isStr := v.(string); !isStr {
				return nil
			}
		}
	}
	if ts, _ := m["eventTime"].(string); ts != "" {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			return nil
		}
	}
	var tb testing.T
	return oracleRecord(&tb, m)
}
