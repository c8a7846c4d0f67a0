package report

import (
	"cmp"
	"io"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// SARIF 2.1.0: one rule per control, one result per finding that is not
// PASS. A FAIL is a result of kind "fail" with a level by severity; ERROR,
// MANUAL and SKIP are kinds "open", "review" and "notApplicable", which the
// specification gives level "none". Locations are logical: account, region,
// resource.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

var sarifKinds = map[catalog.Status]string{
	catalog.StatusFail:   "fail",
	catalog.StatusError:  "open",
	catalog.StatusManual: "review",
	catalog.StatusSkip:   "notApplicable",
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	Properties  sarifRunProps     `json:"properties"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name    string      `json:"name"`
	Version string      `json:"version"`
	Rules   []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           sarifRuleProps  `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Stage    string           `json:"stage"`
	CIS      []string         `json:"cis,omitempty"`
	Severity catalog.Severity `json:"severity"`
	Kind     catalog.Kind     `json:"kind,omitempty"`
	// SecuritySeverity is the score GitHub code scanning ranks alerts by.
	SecuritySeverity string   `json:"security-severity"`
	Tags             []string `json:"tags"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool   `json:"executionSuccessful"`
	EndTimeUTC          string `json:"endTimeUtc"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifLocation struct {
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifResultProps struct {
	Status        catalog.Status `json:"status"`
	AccountID     string         `json:"account_id"`
	AccountName   string         `json:"account_name,omitempty"`
	MaturityStage string         `json:"maturity_stage"`
	Region        string         `json:"region,omitempty"`
	Resource      string         `json:"resource,omitempty"`
}

type sarifRunProps struct {
	Maturity []sarifMaturity `json:"maturity"`
}

type sarifMaturity struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name,omitempty"`
	Stage       string `json:"stage"`
}

func writeSARIF(w io.Writer, v *view) error {
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: productName, Version: v.version(), Rules: []sarifRule{}}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true, EndTimeUTC: v.Now.UTC().Format(time.RFC3339)}},
		Results:     []sarifResult{},
	}
	index := map[string]int{}
	for _, g := range v.groups() {
		for _, c := range g.Controls {
			index[c.ID] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(c.Control))
		}
	}
	for i := range v.Result.Findings {
		f := &v.Result.Findings[i]
		kind, ok := sarifKinds[f.Status]
		if !ok {
			continue
		}
		level := "none"
		if f.Status == catalog.StatusFail {
			level = severityOf(f.Severity).sarif
		}
		a, res := v.account(f), resourceOf(f)
		run.Results = append(run.Results, sarifResult{
			RuleID: f.ControlID, RuleIndex: index[f.ControlID], Kind: kind, Level: level,
			Message: sarifText{Text: cmp.Or(f.Reason, v.control(f.ControlID, f.Severity).Title)},
			Locations: []sarifLocation{{LogicalLocations: []sarifLogicalLocation{{
				Name:               res.Name,
				FullyQualifiedName: joinNonEmpty("/", f.AccountID, f.Region, f.Resource),
				Kind:               "resource",
			}}}},
			PartialFingerprints: map[string]string{"baselineFinding/v1": findingID(f)},
			Properties: sarifResultProps{
				Status: f.Status, AccountID: f.AccountID, AccountName: a.Name, MaturityStage: a.StageLabel(),
				Region: f.Region, Resource: f.Resource,
			},
		})
	}
	run.Properties.Maturity = make([]sarifMaturity, 0, len(v.Accounts))
	for _, a := range v.Accounts {
		run.Properties.Maturity = append(run.Properties.Maturity, sarifMaturity{AccountID: a.ID, AccountName: a.Name, Stage: a.StageLabel()})
	}
	return encodeJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

func sarifRuleOf(c *catalog.Control) sarifRule {
	sev := severityOf(c.Severity)
	return sarifRule{
		ID:                   c.ID,
		Name:                 ruleName(c.ID),
		ShortDescription:     sarifText{Text: c.Title},
		FullDescription:      sarifText{Text: cmp.Or(c.Rationale, c.Title)},
		Help:                 sarifText{Text: cmp.Or(c.Steps, c.Title)},
		DefaultConfiguration: sarifRuleConfig{Level: sev.sarif},
		Properties: sarifRuleProps{
			Stage: c.Stage, CIS: c.CIS, Severity: c.Severity, Kind: c.Kind,
			SecuritySeverity: sev.sarifSev, Tags: strings.Fields("security aws " + c.Stage),
		},
	}
}

// ruleName turns a control id into the identifier-like name SARIF asks
// for: "iam.root-mfa" becomes "IamRootMfa".
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '.' || r == '-' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
