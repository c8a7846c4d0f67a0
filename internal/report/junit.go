package report

import (
	"cmp"
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// JUnit XML as CI systems read it: one test suite per account, one test
// case per finding (class = control id, name = resource, or account/region
// for account-level findings). FAIL is a failure, ERROR an error, MANUAL and
// SKIP are skipped.
type junitSuites struct {
	XMLName   xml.Name     `xml:"testsuites"`
	Name      string       `xml:"name,attr"`
	Tests     int          `xml:"tests,attr"`
	Failures  int          `xml:"failures,attr"`
	Errors    int          `xml:"errors,attr"`
	Skipped   int          `xml:"skipped,attr"`
	Time      string       `xml:"time,attr"`
	Timestamp string       `xml:"timestamp,attr"`
	Suites    []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitOutcome `xml:"failure"`
	Error     *junitOutcome `xml:"error"`
	Skipped   *junitOutcome `xml:"skipped"`
}

type junitOutcome struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, v *view) error {
	at := v.observed().Format(time.RFC3339)
	byAccount := map[string][]junitCase{}
	for i := range v.Result.Findings {
		f := &v.Result.Findings[i]
		byAccount[f.AccountID] = append(byAccount[f.AccountID], junitCaseOf(f, v.control(f.ControlID, f.Severity)))
	}
	all := junitSuites{Name: productName, Time: "0", Timestamp: at}
	for _, a := range v.Accounts {
		s := junitSuite{
			Name: a.Label(), Time: "0", Timestamp: at, Cases: byAccount[a.ID],
			Tests:    a.Counts.Total(),
			Failures: a.Counts.Fail, Errors: a.Counts.Error, Skipped: a.Counts.Manual + a.Counts.Skip,
			Properties: []junitProperty{
				{"account_id", a.ID}, {"account_name", a.Name}, {"category", a.Category}, {"ou_path", a.OUPath},
				{"maturity_stage", a.StageLabel()}, {"next_stage_blockers", strings.Join(a.Blockers, " ")},
			},
		}
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Errors += s.Errors
		all.Skipped += s.Skipped
		all.Suites = append(all.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCaseOf(f *catalog.Finding, c *catalog.Control) junitCase {
	tc := junitCase{
		Classname: f.ControlID,
		Name:      cmp.Or(f.Resource, f.AccountID+"/"+cmp.Or(f.Region, "global")),
		Time:      "0",
	}
	out := &junitOutcome{Message: f.Reason}
	switch f.Status {
	case catalog.StatusFail:
		remedy := ""
		if c.Steps != "" {
			remedy = "Remediation:\n" + c.Steps
		}
		out.Type, out.Text = string(f.Severity), joinNonEmpty("\n\n", c.Title, f.Reason, remedy)
		tc.Failure = out
	case catalog.StatusError:
		out.Type, out.Text = "ERROR", f.Reason
		tc.Error = out
	case catalog.StatusManual, catalog.StatusSkip:
		tc.Skipped = out
	}
	return tc
}
