package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// The table is laid out for a 100-column terminal.
const (
	tableWidth  = 100
	maxProblems = 5 // problem lines listed under a control before "… and N more"
)

// ANSI SGR codes by status.
var (
	statusColor = map[catalog.Status]string{
		catalog.StatusPass: "32", catalog.StatusFail: "31", catalog.StatusError: "33",
		catalog.StatusManual: "36", catalog.StatusSkip: "2",
	}
	statusMark = map[catalog.Status]string{
		catalog.StatusPass: "✓", catalog.StatusFail: "✗", catalog.StatusError: "!",
		catalog.StatusManual: "?", catalog.StatusSkip: "–",
	}
)

type tablePrinter struct {
	*bufio.Writer
	color bool
}

// paint wraps s in an ANSI colour when colour is on.
func (p *tablePrinter) paint(code, s string) string {
	if !p.color || code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func writeTable(w io.Writer, v *view) error {
	p := &tablePrinter{Writer: bufio.NewWriter(w), color: v.Color}
	p.header(v)
	p.maturity(v)
	p.controls(v)
	p.footer(v)
	return p.Flush()
}

func (p *tablePrinter) header(v *view) {
	parts := []string{"baseline " + v.version()}
	if id := v.orgID(); id != "" {
		parts = append(parts, "organization "+oneLine(id))
	}
	parts = append(parts, plural(len(v.Accounts), "account"))
	if t := v.Snapshot.CollectedAt; !t.IsZero() {
		parts = append(parts, "collected "+t.UTC().Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintln(p, p.paint("1", clip(strings.Join(parts, " · "), tableWidth)))
	fmt.Fprintln(p)
}

// maturity prints one line per account: stage, ladder, id, name and what
// blocks the next stage.
func (p *tablePrinter) maturity(v *view) {
	fmt.Fprintln(p, p.paint("1", "MATURITY STAGE"))
	nameW := 0
	for _, a := range v.Accounts {
		nameW = max(nameW, utf8.RuneCountInString(oneLine(a.Name)))
	}
	nameW = min(nameW, 30)
	for _, a := range v.Accounts {
		ladder, next := strings.Repeat(" ", 10), "not assessed"
		switch {
		case !a.Rated:
		case a.Stage >= 10:
			ladder, next = strings.Repeat("█", 10), "top foundational stage"
		default:
			ladder = strings.Repeat("█", a.Stage) + strings.Repeat("░", 10-a.Stage)
			next = "next " + stageLabel(a.Stage+1) + ": " + strings.Join(a.Blockers, ", ")
		}
		line := fmt.Sprintf("  %-3s %s  %-12s  %s  %s", a.StageLabel(), ladder, a.ID, pad(clip(oneLine(a.Name), nameW), nameW), next)
		fmt.Fprintln(p, strings.TrimRight(clip(line, tableWidth), " "))
	}
	fmt.Fprintln(p)
}

// controls prints one line per control, by stage: the worst status, id and
// title on the left, the counts by status on the right, then the findings
// to act on.
func (p *tablePrinter) controls(v *view) {
	for _, g := range v.groups() {
		fmt.Fprintln(p, p.paint("1", stageTitle(g.Stage)))
		for _, c := range g.Controls {
			worst := c.Counts.Worst()
			plain, painted := p.counts(c.Counts)
			left, right := "  "+c.ID+"  ", utf8.RuneCountInString(plain)
			title := clip(oneLine(c.Title), tableWidth-utf8.RuneCountInString(left)-right-2)
			gap := tableWidth - utf8.RuneCountInString(left+title) - right
			fmt.Fprintf(p, "%s %s  %s%s%s\n", p.paint(statusColor[worst], statusMark[worst]), c.ID, title,
				strings.Repeat(" ", max(gap, 1)), painted)
			p.problems(v, c)
		}
		fmt.Fprintln(p)
	}
}

// counts is "1 fail · 2 pass", most pressing status first, plain (to
// measure) and painted.
func (p *tablePrinter) counts(c counts) (plain, painted string) {
	var ps, cs []string
	for _, sc := range c.ByStatus() {
		t := fmt.Sprintf("%d %s", sc.N, strings.ToLower(string(sc.Status)))
		ps, cs = append(ps, t), append(cs, p.paint(statusColor[sc.Status], t))
	}
	return strings.Join(ps, " · "), strings.Join(cs, " · ")
}

// problems lists the findings to act on under a control, at most
// maxProblems, each on up to two lines.
func (p *tablePrinter) problems(v *view, c *controlView) {
	const indent = "             "
	probs := c.Problems()
	for i, f := range probs {
		if i == maxProblems {
			fmt.Fprintf(p, "      %s and %d more\n", ellipsis, len(probs)-maxProblems)
			break
		}
		where := joinNonEmpty(" ", v.account(f).Short(), f.Region, f.Resource)
		lines := wrap(oneLine(where+": "+f.Reason), tableWidth-len(indent), 2)
		fmt.Fprintf(p, "      %s %s\n", p.paint(statusColor[f.Status], pad(string(f.Status), 6)), lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintln(p, indent+l)
		}
	}
}

func (p *tablePrinter) footer(v *view) {
	s := v.Result.Summary
	total := s.Pass + s.Fail + s.Error + s.Manual + s.Skip
	fmt.Fprintln(p, strings.Repeat("─", tableWidth))
	fmt.Fprintf(p, "%s · %s · %s · %s · %s · %s · %s\n",
		plural(s.Accounts, "account"), plural(total, "finding"),
		p.paint(statusColor[catalog.StatusPass], fmt.Sprintf("%d pass", s.Pass)),
		p.paint(statusColor[catalog.StatusFail], fmt.Sprintf("%d fail", s.Fail)),
		p.paint(statusColor[catalog.StatusError], fmt.Sprintf("%d error", s.Error)),
		p.paint(statusColor[catalog.StatusManual], fmt.Sprintf("%d manual", s.Manual)),
		p.paint(statusColor[catalog.StatusSkip], fmt.Sprintf("%d skip", s.Skip)))
}

// pad right-pads s with spaces to n runes.
func pad(s string, n int) string {
	if k := n - utf8.RuneCountInString(s); k > 0 {
		return s + strings.Repeat(" ", k)
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
