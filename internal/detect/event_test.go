package detect

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/testutil/shareddata"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/sigma"
)

// trickyRecords are records where a lazy lookup could part from the full
// decoding: escaped names and values, duplicate keys, nulls, empty strings,
// root without an ARN, arrays, numbers.
var trickyRecords = []string{
	`{"eventTime":"2024-01-01T00:00:00Z","eventName":"Get\u0053ecretValue","error\u0043ode":"AccessDenied","userIdentity":null}`,
	`{"eventTime":"2024-01-01T00:00:00Z","errorCode":"First","errorCode":"Second","eventName":"A","eventName":"B"}`,
	`{"eventTime":"2024-01-01T00:00:00Z","errorCode":"","sourceIPAddress":null,"userIdentity":{"type":"Root","accountId":"111122223333"}}`,
	`{"eventTime":"2024-01-01T00:00:00Z","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","invokedBy":null,"sessionContext":{"attributes":{"mfaAuthenticated":"true"}}}}`,
	`{"eventTime":"2024-01-01T00:00:00Z","requestParameters":{"fromPort":22,"toPort":22.0,"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}},{"x":null}]},"flag":true,"empty":{},"list":[]},"resources":[{"ARN":"arn:aws:kms:eu-west-1:1:key/a"},{"ARN":"arn:aws:kms:eu-west-1:1:key/b"}]}`,
	`{"eventTime":"2024-01-01T00:00:00Z","requestParameters":{"policy":"{\"Statement\":[{\"Principal\":\"*\"}]}","path":"a\/b","name":"caf\u00e9 \ud83d\ude00"},"readOnly":"true"}`,
	` { "eventTime" : "2024-01-01T00:00:00Z" , "eventName" : "Spaced" , "userIdentity" : { "type" : "IAMUser" , "userName" : "x" } } `,
	`{"eventTime":"2024-01-01T00:00:00Z","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"userIdentity":{"arn":"","type":""}}`,
	`{"eventTime":"2024-01-01T00:00:00Z","requestParameters":{"a":{"b":{"c":[1,[2,{"d":"deep"}]]}}},"tlsDetails":{"tlsVersion":"TLSv1.3"},"vpcEndpointId":"vpce-1"}`,
}

// fieldsOfRules returns every name that may be a field in the rule files
// under dirs (and more: selection names, which are harmless to look up).
func fieldsOfRules(t *testing.T, dirs ...string) []string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s+-?\s*([A-Za-z][\w.]*)(\|[\w|]+)?:`)
	set := map[string]bool{"userIdentity": true, "requestParameters": true, "resources": true}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
				return err
			}
			src, err := os.ReadFile(p)
			for _, m := range re.FindAllSubmatch(src, -1) {
				set[string(m[1])] = true
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return slices.Sorted(func(yield func(string) bool) {
		for k := range set {
			if !yield(k) {
				return
			}
		}
	})
}

// values collects what a rule sees at path: every value reached, as the
// sigma engine walks it, and "<absent>" once if there is a dead end (how
// many does not change any test's outcome).
func values(e sigma.Event, path []string) []any {
	v, n := e.Lookup(path)
	if n == 0 {
		return []any{"<absent>"}
	}
	var out []any
	var walk func(v any, rest []string)
	walk = func(v any, rest []string) {
		if len(rest) == 0 {
			out = append(out, v)
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if y, ok := x[rest[0]]; ok {
				walk(y, rest[1:])
				return
			}
		case []any:
			for _, y := range x {
				walk(y, rest)
			}
			if len(x) > 0 {
				return
			}
		}
		if !slices.Contains(out, any("<absent>")) {
			out = append(out, "<absent>")
		}
	}
	walk(v, path[n:])
	return out
}

func TestLookupMatchesFullDecoding(t *testing.T) {
	pack := builtin(t)
	sigmaDir := shareddata.Dir(t, "sigma-aws-cloudtrail")
	sigmahq, errs := sigma.LoadDir(os.DirFS(sigmaDir), ".")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var sets []*sigma.RuleSet
	for _, rs := range [][]*sigma.Rule{pack, sigmahq} {
		set, err := sigma.NewRuleSet(rs)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, set)
	}
	fields := fieldsOfRules(t, sigmaDir, "../rules/pack")
	if len(fields) < 50 {
		t.Fatalf("only %d field names found in the rules", len(fields))
	}
	fields = append(fields, "eventTime", "userIdentity.sessionContext.sessionIssuer.arn", "requestParameters.a.b.c.d",
		"requestParameters.ipPermissions.items.ipRanges.items.cidrIp", "resources.ARN", "error\\u0043ode")

	var recs []*cloudtrail.Record
	for _, raw := range trickyRecords {
		recs = append(recs, parse(t, raw))
	}
	files, _ := filepath.Glob(filepath.Join(shareddata.Dir(t, "cloudtrail/stratus-red-team"), "*.json"))
	more, _ := filepath.Glob(filepath.Join(shareddata.Dir(t, "cloudtrail/traildiscover"), "*.json.cloudtrail"))
	for _, f := range append(files, more...) {
		recs = append(recs, readFileRecords(t, f)...)
	}
	if len(recs) < 500 {
		t.Fatalf("only %d records", len(recs))
	}

	matched := 0
	for i, rec := range recs {
		full, err := rec.Fields()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		want := &sigma.MapEvent{Fields: full, Raw: rec.Raw}
		for _, f := range fields {
			path := strings.Split(f, ".")
			got := values(&event{rec: rec}, path)
			if exp := values(want, path); !reflect.DeepEqual(got, exp) {
				t.Errorf("record %d (%s), %s: lazy %#v, full decoding %#v", i, rec.EventName, f, got, exp)
			}
		}
		for _, set := range sets {
			got := set.Match(&event{rec: rec}, nil)
			exp := set.Match(want, nil)
			if !slices.Equal(got, exp) {
				t.Errorf("record %d (%s): lazy matched %v, full decoding %v", i, rec.EventName, ruleIDs(got), ruleIDs(exp))
			}
			matched += len(got)
		}
	}
	if matched < 100 {
		t.Errorf("only %d matches over %d records: the comparison proves little", matched, len(recs))
	}
}

func ruleIDs(rs []*sigma.Rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Title)
	}
	return out
}

// TestLookupDoesNotDecodeForPrefilter checks the point of the lazy event:
// the prefilter and common conditions never decode the record.
func TestLookupDoesNotDecodeForPrefilter(t *testing.T) {
	rec := parse(t, `{"eventTime":"2024-01-01T00:00:00Z","eventName":"GetObject","eventSource":"s3.amazonaws.com",`+
		`"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s"},"sourceIPAddress":"10.0.0.1"}`)
	e := &event{rec: rec}
	for _, f := range []string{"eventName", "eventSource", "userIdentity.type", "userIdentity.arn", "sourceIPAddress"} {
		if _, n := e.Lookup(strings.Split(f, ".")); n == 0 {
			t.Errorf("%s: absent", f)
		}
	}
	for _, f := range []string{"errorCode", "vpcEndpointId", "userIdentity.invokedBy"} {
		if v, n := e.Lookup(strings.Split(f, ".")); n != 0 {
			t.Errorf("%s: got %v, want absent", f, v)
		}
	}
	if e.indexed {
		t.Error("the record was scanned: absent fields should be known from a substring search")
	}
}
