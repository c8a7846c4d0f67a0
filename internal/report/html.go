package report

import (
	"bytes"
	"embed"
	"html/template"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
)

//go:embed assets/report.css assets/report.js assets/report.html.tmpl
var assets embed.FS

var (
	stylesheet = mustAsset("assets/report.css")
	script     = mustAsset("assets/report.js")
	htmlPage   = template.Must(template.New("report").Parse(mustAsset("assets/report.html.tmpl")))
)

func mustAsset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Stylesheet is the report's CSS, for other single-file pages (the
// handbook) that share its visual language.
func Stylesheet() string { return stylesheet }

// The page model: the view, with what the template should not compute.
type (
	htmlData struct {
		CSS                  template.CSS
		JS                   template.JS
		Org, Version         string
		Collected, Generated string
		Summary              audit.Summary
		Accounts             []htmlAccount
		Groups               []htmlGroup
	}
	htmlAccount struct {
		*accountView
		Rungs []htmlRung
		Top   bool
	}
	htmlRung struct {
		Label string
		On    bool
	}
	htmlGroup struct {
		Title    string
		Controls []htmlControl
	}
	htmlControl struct {
		*controlView
		Worst    catalog.Status
		Class    string
		Statuses string // the statuses present, for the status filter
		Chips    []htmlChip
		Problems []htmlFinding
	}
	htmlChip struct {
		Status catalog.Status
		Class  string
		N      int
	}
	htmlFinding struct {
		*catalog.Finding
		Account string
		Class   string
	}
)

func writeHTML(w io.Writer, v *view) error {
	d := htmlData{
		CSS: template.CSS(stylesheet), JS: template.JS(script),
		Org: v.orgID(), Version: v.version(),
		Collected: v.observed().Format("2006-01-02 15:04 MST"), Generated: v.Now.UTC().Format("2006-01-02 15:04 MST"),
		Summary: v.Result.Summary,
	}
	for _, a := range v.Accounts {
		ha := htmlAccount{accountView: a, Top: a.Rated && a.Stage >= 10}
		for i := 1; i <= 10; i++ {
			ha.Rungs = append(ha.Rungs, htmlRung{Label: stageLabel(i), On: i <= a.Stage})
		}
		d.Accounts = append(d.Accounts, ha)
	}
	for _, g := range v.groups() {
		hg := htmlGroup{Title: stageTitle(g.Stage)}
		for _, c := range g.Controls {
			hg.Controls = append(hg.Controls, htmlControlOf(v, c))
		}
		d.Groups = append(d.Groups, hg)
	}
	var buf bytes.Buffer
	if err := htmlPage.Execute(&buf, d); err != nil {
		return err
	}
	_, err := w.Write(bytes.Map(htmlChar, buf.Bytes()))
	return err
}

// htmlChar replaces the control characters HTML does not allow in text
// (html/template escapes markup, not these) and invalid UTF-8 with U+FFFD:
// names and reasons come from the audited accounts.
func htmlChar(r rune) rune {
	if r == '\n' || r == '\t' || r == '\r' || !unicode.IsControl(r) {
		return r
	}
	return utf8.RuneError
}

func htmlControlOf(v *view, c *controlView) htmlControl {
	hc := htmlControl{controlView: c, Worst: c.Counts.Worst(), Class: statusClass(c.Counts.Worst())}
	var present []string
	for _, sc := range c.Counts.ByStatus() {
		hc.Chips = append(hc.Chips, htmlChip{Status: sc.Status, Class: statusClass(sc.Status), N: sc.N})
		present = append(present, string(sc.Status))
	}
	hc.Statuses = strings.Join(present, " ")
	for _, f := range c.Problems() {
		hc.Problems = append(hc.Problems, htmlFinding{Finding: f, Account: v.account(f).Label(), Class: statusClass(f.Status)})
	}
	return hc
}

func statusClass(s catalog.Status) string { return strings.ToLower(string(s)) }
