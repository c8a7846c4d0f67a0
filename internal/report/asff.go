package report

import (
	"cmp"
	"io"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// AWS Security Finding Format, importable with `aws securityhub
// batch-import-findings`. With the default product ARN each account imports
// its own findings (Security Hub requires AwsAccountId to be the caller), in
// the finding's region; account-level findings go to the home region.
// Only attributes BatchImportFindings accepts from a custom integration are
// written, cut to the lengths it allows.
const (
	asffSchema        = "2018-10-08"
	asffTitleMax      = 256
	asffDescMax       = 1024
	asffRemedyMax     = 512
	asffFieldMax      = 2048
	asffResourceIDMax = 512
)

type asffFinding struct {
	SchemaVersion string            `json:"SchemaVersion"`
	ID            string            `json:"Id"`
	ProductArn    string            `json:"ProductArn"`
	ProductName   string            `json:"ProductName"`
	CompanyName   string            `json:"CompanyName"`
	GeneratorID   string            `json:"GeneratorId"`
	AwsAccountID  string            `json:"AwsAccountId"`
	Types         []string          `json:"Types"`
	CreatedAt     string            `json:"CreatedAt"`
	UpdatedAt     string            `json:"UpdatedAt"`
	Severity      asffSeverity      `json:"Severity"`
	Title         string            `json:"Title"`
	Description   string            `json:"Description"`
	Remediation   *asffRemediation  `json:"Remediation,omitempty"`
	ProductFields map[string]string `json:"ProductFields"`
	Resources     []asffResource    `json:"Resources"`
	Compliance    asffCompliance    `json:"Compliance"`
	RecordState   string            `json:"RecordState"`
	Workflow      asffWorkflow      `json:"Workflow"`
}

type asffSeverity struct {
	Label string `json:"Label"`
}

type asffRemediation struct {
	Recommendation asffRecommendation `json:"Recommendation"`
}

type asffRecommendation struct {
	Text string `json:"Text"`
}

type asffResource struct {
	Type      string `json:"Type"`
	ID        string `json:"Id"`
	Partition string `json:"Partition"`
	Region    string `json:"Region"`
}

type asffCompliance struct {
	Status              string   `json:"Status"`
	RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
}

type asffWorkflow struct {
	Status string `json:"Status"`
}

// asffStatus maps a status to Security Hub's compliance and workflow
// statuses: nothing to do is RESOLVED, anything else NEW.
var asffStatus = map[catalog.Status]struct{ compliance, workflow string }{
	catalog.StatusPass:   {"PASSED", "RESOLVED"},
	catalog.StatusFail:   {"FAILED", "NEW"},
	catalog.StatusManual: {"WARNING", "NEW"},
	catalog.StatusError:  {"NOT_AVAILABLE", "NEW"},
	catalog.StatusSkip:   {"NOT_AVAILABLE", "RESOLVED"},
}

func writeASFF(w io.Writer, v *view) error {
	at := v.observed().Format(time.RFC3339)
	home := v.homeRegion()
	return writeJSONArray(w, len(v.Result.Findings), func(i int) any {
		f := &v.Result.Findings[i]
		c, a, res := v.control(f.ControlID, f.Severity), v.account(f), resourceOf(f)
		region := cmp.Or(f.Region, home)
		part := partition(region)
		st := asffStatus[f.Status]
		label := "INFORMATIONAL" // what Security Hub gives passed checks
		if sev := severityOf(f.Severity); f.Status != catalog.StatusPass && sev.ocsfID > 0 {
			label = strings.ToUpper(sev.name)
		}
		af := &asffFinding{
			SchemaVersion: asffSchema,
			ID:            findingID(f),
			ProductArn:    "arn:" + part + ":securityhub:" + region + ":" + f.AccountID + ":product/" + f.AccountID + "/default",
			ProductName:   productName,
			CompanyName:   vendorName,
			GeneratorID:   "baseline/" + f.ControlID,
			AwsAccountID:  f.AccountID,
			Types:         findingTypes(c),
			CreatedAt:     at,
			UpdatedAt:     at,
			Severity:      asffSeverity{Label: label},
			Title:         limit(c.Title, asffTitleMax),
			Description:   limit(cmp.Or(joinNonEmpty("\n\n", f.Reason, c.Rationale), c.Title), asffDescMax),
			ProductFields: productFields(
				"baseline/ControlId", f.ControlID,
				"baseline/Stage", c.Stage,
				"baseline/MaturityStage", a.StageLabel(),
				"baseline/AccountName", a.Name,
				"baseline/Status", string(f.Status),
				"baseline/Version", v.version(),
			),
			Resources: []asffResource{{
				Type: res.Type, ID: limit(res.ID, asffResourceIDMax), Partition: part, Region: region,
			}},
			Compliance:  asffCompliance{Status: st.compliance, RelatedRequirements: cisRefs(c)},
			RecordState: "ACTIVE",
			Workflow:    asffWorkflow{Status: st.workflow},
		}
		if c.Steps != "" {
			af.Remediation = &asffRemediation{asffRecommendation{Text: limit(c.Steps, asffRemedyMax)}}
		}
		return af
	})
}

// productFields builds the ProductFields map from key, value pairs, leaving
// out empty values, which Security Hub rejects.
func productFields(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = limit(kv[i+1], asffFieldMax)
		}
	}
	return m
}
