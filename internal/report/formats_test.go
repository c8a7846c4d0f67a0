package report

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
)

func TestFormatsRegistry(t *testing.T) {
	if got := Formats(); got[0] != "table" || len(got) != 8 {
		t.Fatalf("Formats() = %v", got)
	}
	if !Known("") || !Known("sarif") || Known("xml") {
		t.Fatal("Known disagrees with Formats")
	}
	err := Write(io.Discard, "xml", fixture())
	if err == nil || !strings.Contains(err.Error(), "table, json") {
		t.Fatalf("unknown format: %v", err)
	}
	if err := Write(io.Discard, "json", Input{}); err == nil {
		t.Fatal("no result: want an error")
	}
}

// Every format renders an empty audit (no snapshot, no findings) as a
// valid, empty document.
func TestEmpty(t *testing.T) {
	in := Input{Result: &audit.Result{}, Now: generatedAt}
	for _, f := range Formats() {
		out := render(t, f, in)
		if len(out) == 0 {
			t.Errorf("%s: empty output", f)
		}
	}
	if got := string(render(t, "json", in)); !strings.Contains(got, `"findings": []`) || !strings.Contains(got, `"maturity": {}`) {
		t.Errorf("json of an empty audit:\n%s", got)
	}
	for _, f := range []string{"ocsf", "asff"} {
		if got := strings.TrimSpace(string(render(t, f, in))); got != "[]" {
			t.Errorf("%s of an empty audit: %s", f, got)
		}
	}
}

// A finding of a control this catalog does not know is still reported.
func TestUnknownControl(t *testing.T) {
	in := fixture()
	in.Result.Findings = append(in.Result.Findings, catalog.Finding{ControlID: "future.control", Status: catalog.StatusFail,
		Severity: catalog.High, AccountID: "444444444444", Reason: "from a newer catalog"})
	for _, f := range Formats() {
		if out := render(t, f, in); !bytes.Contains(out, []byte("future.control")) {
			t.Errorf("%s does not show the unknown control", f)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	in := fixture()
	out := render(t, "json", in)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil {
		t.Fatal(err)
	}
	if len(top) != 2 || top["summary"] == nil || top["findings"] == nil {
		t.Fatalf("top-level keys: %v", keys(top))
	}
	var got audit.Result
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, in.Result) {
		t.Fatal("json does not round-trip to the audit result")
	}
}

func TestCSVRoundTrip(t *testing.T) {
	in := fixture()
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", in))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows[0], csvHeader) || len(rows) != len(in.Result.Findings)+1 {
		t.Fatalf("header %v, %d rows for %d findings", rows[0], len(rows), len(in.Result.Findings))
	}
	col := map[string]int{}
	for i, h := range csvHeader {
		col[h] = i
	}
	for i, f := range in.Result.Findings {
		r := rows[i+1]
		c, _ := catalog.Get(f.ControlID)
		for name, want := range map[string]string{
			"control_id": f.ControlID, "status": string(f.Status), "account_id": f.AccountID, "region": f.Region,
			"resource": f.Resource, "reason": noFormula(f.Reason), "stage": c.Stage, "title": c.Title,
		} {
			if r[col[name]] != want {
				t.Errorf("row %d %s = %q, want %q", i+1, name, r[col[name]], want)
			}
		}
	}
	for _, r := range rows {
		if r[col["resource"]] == oddSG && !strings.HasPrefix(r[col["reason"]], "'+rule") {
			t.Errorf("a leading + is not neutralised: %q", r[col["reason"]])
		}
	}
	if got := rows[2][col["account_name"]]; got != `security, "audit" & <logs>` || rows[2][col["account_maturity"]] != "F3" {
		t.Errorf("account name/maturity: %q %q", got, rows[2][col["account_maturity"]])
	}
}

func TestOCSF(t *testing.T) {
	in := fixture()
	var got []map[string]any
	if err := json.Unmarshal(render(t, "ocsf", in), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in.Result.Findings) {
		t.Fatalf("%d OCSF findings for %d", len(got), len(in.Result.Findings))
	}
	uids := map[string]bool{}
	for i, o := range got {
		f := in.Result.Findings[i]
		for path, want := range map[string]any{
			"class_uid": 2004.0, "category_uid": 2.0, "activity_id": 1.0, "type_uid": 200401.0,
			"status_code": string(f.Status), "status_detail": f.Reason,
			"cloud.provider": "AWS", "cloud.account.uid": f.AccountID,
			"metadata.product.name": "baseline", "metadata.version": ocsfVersion, "metadata.event_code": f.ControlID,
			"time": float64(collectedAt.UnixMilli()),
		} {
			if v := lookupPath(o, path); v != want {
				t.Errorf("finding %d: %s = %v, want %v", i, path, v, want)
			}
		}
		for _, path := range []string{"finding_info.uid", "finding_info.title", "severity", "severity_id", "unmapped.maturity_stage", "unmapped.stage", "remediation.desc"} {
			if lookupPath(o, path) == nil {
				t.Errorf("finding %d: no %s", i, path)
			}
		}
		res, _ := o["resources"].([]any)
		if len(res) != 1 || lookupPath(res[0].(map[string]any), "uid") == nil {
			t.Errorf("finding %d: resources %v", i, o["resources"])
		}
		uid := lookupPath(o, "finding_info.uid").(string)
		if uids[uid] {
			t.Errorf("duplicate finding_info.uid %s", uid)
		}
		uids[uid] = true
	}
}

func TestASFF(t *testing.T) {
	in := fixture()
	out := render(t, "asff", in)
	// Every attribute must be one Security Hub knows: decode strictly into
	// the SDK's own finding type.
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var findings []shtypes.AwsSecurityFinding
	if err := dec.Decode(&findings); err != nil {
		t.Fatal(err)
	}
	if len(findings) != len(in.Result.Findings) {
		t.Fatalf("%d ASFF findings for %d", len(findings), len(in.Result.Findings))
	}
	compliance := map[catalog.Status]shtypes.ComplianceStatus{
		catalog.StatusPass: "PASSED", catalog.StatusFail: "FAILED", catalog.StatusManual: "WARNING",
		catalog.StatusError: "NOT_AVAILABLE", catalog.StatusSkip: "NOT_AVAILABLE",
	}
	ids := map[string]bool{}
	for i, a := range findings {
		f := in.Result.Findings[i]
		region := cmp.Or(f.Region, "us-east-1")
		switch {
		case aws.ToString(a.AwsAccountId) != f.AccountID:
			t.Errorf("%d: AwsAccountId %s", i, aws.ToString(a.AwsAccountId))
		case aws.ToString(a.ProductArn) != "arn:aws:securityhub:"+region+":"+f.AccountID+":product/"+f.AccountID+"/default":
			t.Errorf("%d: ProductArn %s", i, aws.ToString(a.ProductArn))
		case a.Compliance == nil || a.Compliance.Status != compliance[f.Status]:
			t.Errorf("%d: compliance %+v for %s", i, a.Compliance, f.Status)
		case aws.ToString(a.SchemaVersion) != asffSchema, aws.ToString(a.CreatedAt) != "2025-03-04T05:06:07Z":
			t.Errorf("%d: schema %s created %s", i, aws.ToString(a.SchemaVersion), aws.ToString(a.CreatedAt))
		case len(a.Resources) != 1 || aws.ToString(a.Resources[0].Region) != region || a.Resources[0].Partition != "aws":
			t.Errorf("%d: resources %+v", i, a.Resources)
		case a.ProductFields["baseline/MaturityStage"] == "":
			t.Errorf("%d: no maturity stage", i)
		case ids[aws.ToString(a.Id)]:
			t.Errorf("%d: duplicate id %s", i, aws.ToString(a.Id))
		}
		ids[aws.ToString(a.Id)] = true
		for name, n := range map[string]int{
			"Id": len(aws.ToString(a.Id)) - 512, "GeneratorId": len(aws.ToString(a.GeneratorId)) - 512,
			"Title": len(aws.ToString(a.Title)) - asffTitleMax, "Description": len(aws.ToString(a.Description)) - asffDescMax,
			"Remediation": len(aws.ToString(a.Remediation.Recommendation.Text)) - asffRemedyMax,
		} {
			if n > 0 {
				t.Errorf("%d: %s is %d bytes too long", i, name, n)
			}
		}
	}

	// The SDK validates required members and serializes the request: what
	// `aws securityhub batch-import-findings` would send.
	var sent []byte
	client := securityhub.New(securityhub.Options{
		Region: "us-east-1", Credentials: aws.AnonymousCredentials{},
		HTTPClient: httpFunc(func(r *http.Request) (*http.Response, error) {
			sent, _ = io.ReadAll(r.Body)
			body := `{"FailedCount":0,"SuccessCount":` + strconv.Itoa(len(findings)) + `,"FailedFindings":[]}`
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		}),
	})
	if _, err := client.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{Findings: findings}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sent, []byte(`"SchemaVersion":"2018-10-08"`)) {
		t.Fatalf("request body: %.300s", sent)
	}
}

// A resource id too long for Security Hub is hashed into the finding id.
func TestFindingIDLimit(t *testing.T) {
	f := &catalog.Finding{ControlID: "s3.bucket-not-public", AccountID: mgmt, Region: "us-east-1", Resource: strings.Repeat("x", 600)}
	id := findingID(f)
	if len(id) > maxIDLen || !strings.Contains(id, "/sha256:") {
		t.Fatalf("id %q (%d bytes)", id, len(id))
	}
	f.Resource += "y"
	if findingID(f) == id {
		t.Fatal("different resources, same id")
	}
}

func TestResourceType(t *testing.T) {
	for id, want := range map[string]string{
		"arn:aws:s3:::logs":                                      "AwsS3Bucket",
		"arn:aws:s3:::logs/key":                                  "AwsS3Object",
		"arn:aws:iam::111111111111:user/alice":                   "AwsIamUser",
		"arn:aws:ec2:us-east-1:111111111111:security-group/sg-1": "AwsEc2SecurityGroup",
		"arn:aws:rds:us-east-1:111111111111:db:main":             "AwsRdsDbInstance",
		"arn:aws:sns:us-east-1:111111111111:alerts":              "AwsSnsTopic",
		"arn:aws:logs:us-east-1:111111111111:log-group:/x":       "Other",
		"i-0abc":      "AwsEc2Instance",
		"sg-0bad":     "AwsEc2SecurityGroup",
		"break-glass": "Other",
	} {
		if got := resourceType(id); got != want {
			t.Errorf("resourceType(%q) = %s, want %s", id, got, want)
		}
	}
}

func TestSARIF(t *testing.T) {
	in := fixture()
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID         string         `json:"id"`
						Name       string         `json:"name"`
						Short      sarifText      `json:"shortDescription"`
						Help       sarifText      `json:"help"`
						Properties sarifRuleProps `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results    []sarifResult `json:"results"`
			Properties sarifRunProps `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, "sarif", in), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %s, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	rules := run.Tool.Driver.Rules
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.ID] || r.Name == "" || r.Short.Text == "" || r.Help.Text == "" || r.Properties.Stage == "" {
			t.Errorf("rule %+v", r)
		}
		seen[r.ID] = true
	}
	if len(rules) != 10 {
		t.Errorf("%d rules, want one per control (10)", len(rules))
	}
	want := 0
	for _, f := range in.Result.Findings {
		if f.Status != catalog.StatusPass {
			want++
		}
	}
	if len(run.Results) != want {
		t.Fatalf("%d results, want %d (every finding but PASS)", len(run.Results), want)
	}
	for _, r := range run.Results {
		switch {
		case rules[r.RuleIndex].ID != r.RuleID:
			t.Errorf("result of %s points to rule %s", r.RuleID, rules[r.RuleIndex].ID)
		case r.Kind == "fail" && r.Level != "error" && r.Level != "warning" && r.Level != "note":
			t.Errorf("failing result with level %q", r.Level)
		case r.Kind != "fail" && r.Level != "none":
			t.Errorf("kind %s with level %q", r.Kind, r.Level)
		case r.Message.Text == "" || len(r.Locations) != 1 || r.Locations[0].LogicalLocations[0].FullyQualifiedName == "":
			t.Errorf("result %+v", r)
		case r.Properties.MaturityStage == "":
			t.Errorf("result without the account's maturity stage")
		}
	}
	if len(run.Properties.Maturity) != 3 {
		t.Errorf("maturity of %d accounts", len(run.Properties.Maturity))
	}
}

func TestJUnit(t *testing.T) {
	in := fixture()
	var got junitSuites
	if err := xml.Unmarshal(render(t, "junit", in), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Suites) != 3 || got.Tests != len(in.Result.Findings) {
		t.Fatalf("%d suites, %d tests", len(got.Suites), got.Tests)
	}
	for _, s := range got.Suites {
		var id string
		var fails, errs, skips int
		for _, p := range s.Properties {
			if p.Name == "account_id" {
				id = p.Value
			}
		}
		want := counts{}
		for _, f := range in.Result.Findings {
			if f.AccountID == id {
				want.add(f.Status)
			}
		}
		for _, c := range s.Cases {
			fails += btoi(c.Failure != nil)
			errs += btoi(c.Error != nil)
			skips += btoi(c.Skipped != nil)
		}
		if len(s.Cases) != want.Total() || s.Tests != want.Total() || fails != want.Fail || s.Failures != want.Fail ||
			errs != want.Error || s.Errors != want.Error || skips != want.Manual+want.Skip || s.Skipped != skips {
			t.Errorf("suite %s: tests %d/%d failures %d/%d errors %d/%d skipped %d/%d", s.Name,
				len(s.Cases), want.Total(), fails, want.Fail, errs, want.Error, skips, want.Manual+want.Skip)
		}
	}
	if got.Suites[1].Name != `security, "audit" & <logs> (222222222222)` {
		t.Errorf("suite name %q", got.Suites[1].Name)
	}
}

func TestHTML(t *testing.T) {
	in := fixture()
	out := string(render(t, "html", in))
	// Well-formed enough for a lenient XML reader with HTML rules.
	dec := xml.NewDecoder(strings.NewReader(out))
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("html does not parse: %v", err)
		}
	}
	for _, bad := range []string{"http://", "https://", "<link", "@import", " src=", "<admin>", "<logs>", "\x1b"} {
		if strings.Contains(out, bad) {
			t.Errorf("html contains %q", bad)
		}
	}
	if !strings.Contains(out, "&lt;admin&gt; &amp; ops") || !utf8.ValidString(out) {
		t.Error("resource text is not escaped")
	}
	for _, a := range []string{"F10", "F3", "F0"} {
		if !strings.Contains(out, `<td class="stage">`+a+`</td>`) {
			t.Errorf("no maturity stage %s", a)
		}
	}
}

// The counts on the HTML tiles are those of the JSON summary.
func TestHTMLCountsMatchJSON(t *testing.T) {
	in := fixture()
	var res audit.Result
	if err := json.Unmarshal(render(t, "json", in), &res); err != nil {
		t.Fatal(err)
	}
	tiles := map[string]int{}
	for _, m := range regexp.MustCompile(`<dd id="count-(\w+)">(\d+)</dd>`).FindAllStringSubmatch(string(render(t, "html", in)), -1) {
		tiles[m[1]], _ = strconv.Atoi(m[2])
	}
	want := map[string]int{"accounts": res.Summary.Accounts, "pass": res.Summary.Pass, "fail": res.Summary.Fail,
		"error": res.Summary.Error, "manual": res.Summary.Manual, "skip": res.Summary.Skip}
	if !reflect.DeepEqual(tiles, want) {
		t.Fatalf("html tiles %v, json summary %v", tiles, want)
	}
}

func TestTable(t *testing.T) {
	in := fixture()
	plain := string(render(t, "table", in))
	for i, line := range strings.Split(plain, "\n") {
		if n := utf8.RuneCountInString(line); n > tableWidth {
			t.Errorf("line %d is %d columns: %q", i+1, n, line)
		}
	}
	if strings.Contains(plain, "\x1b") {
		t.Error("escape sequence without colour (from data or from us)")
	}
	for _, want := range []string{"… and 2 more", "F3  ███░░░░░░░  222222222222", "next F1: account.alias", "34 findings · 18 pass · 12 fail"} {
		if !strings.Contains(plain, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	in.Color = true
	colored := string(render(t, "table", in))
	if !strings.Contains(colored, "\x1b[31m") || strings.Contains(colored, "\x1b[2J") {
		t.Error("colour: want our codes and never the data's")
	}
	if stripANSI(colored) != plain {
		t.Error("colour changes the text")
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc ddd", 7, 2)
	if !reflect.DeepEqual(got, []string{"aaa bbb", "ccc ddd"}) {
		t.Errorf("wrap = %q", got)
	}
	if got := wrap("abcdefghij", 4, 2); !reflect.DeepEqual(got, []string{"abcd", "efg…"}) {
		t.Errorf("wrap without spaces = %q", got)
	}
	if got := limit("ééé", 5); got != "é…" {
		t.Errorf("limit = %q", got)
	}
}

type httpFunc func(*http.Request) (*http.Response, error)

func (f httpFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

func lookupPath(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[k]
	}
	return v
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
