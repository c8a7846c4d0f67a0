package report

import (
	"encoding/csv"
	"io"
	"strings"
)

var csvHeader = []string{
	"control_id", "stage", "title", "status", "severity",
	"account_id", "account_name", "account_maturity", "region", "resource", "reason", "cis",
}

// writeCSV writes one row per finding, in the audit's order.
func writeCSV(w io.Writer, v *view) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for i := range v.Result.Findings {
		f := &v.Result.Findings[i]
		c, a := v.control(f.ControlID, f.Severity), v.account(f)
		row := []string{
			f.ControlID, c.Stage, c.Title, string(f.Status), string(f.Severity),
			f.AccountID, a.Name, a.StageLabel(), f.Region, f.Resource, f.Reason, strings.Join(c.CIS, " "),
		}
		for j := range row {
			row[j] = noFormula(row[j])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// noFormula keeps a spreadsheet from running a cell as a formula: account
// names, resource names and reasons come from the audited accounts, so a
// leading = + - @ (or tab, carriage return) is neutralised with a quote.
func noFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
