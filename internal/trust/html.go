package trust

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/secure-baseline/baseline/internal/report"
)

//go:embed assets/trust.css assets/trust.html.tmpl
var assets embed.FS

var htmlPage = template.Must(template.ParseFS(assets, "assets/trust.html.tmpl"))

// The page shares the audit report's stylesheet, then adds the graph's.
var pageCSS = template.CSS(report.Stylesheet() + mustAsset("assets/trust.css"))

func mustAsset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type (
	htmlData struct {
		CSS                   template.CSS
		OrgID, Collected      string
		Accounts, Grants      int
		External, AllowListed int
		SVG                   svgLayout
		Rows                  []htmlRow
		Gaps                  []string
	}
	htmlRow struct {
		Account, Region, Kind, Resource string
		Principals, Actions             string
		Status, Class                   string
	}
)

// writeHTML writes one self-contained page: the graph drawn as inline SVG
// (no script, no external resource, so it opens offline and in a mail
// client's preview), and every grant in a table.
func writeHTML(w io.Writer, g *Graph) error {
	d := htmlData{CSS: pageCSS, OrgID: g.OrgID, Grants: len(g.Edges), SVG: layout(g), Gaps: g.Gaps()}
	if !g.Collected.IsZero() {
		d.Collected = g.Collected.UTC().Format("2006-01-02 15:04 MST")
	}
	index := g.index()
	for _, n := range g.Nodes {
		if !n.Outside && n.ID != g.OrgID {
			d.Accounts++
		}
	}
	for _, e := range g.Edges {
		to := &g.Nodes[index[e.To]]
		row := htmlRow{Account: g.Nodes[index[e.Account]].Label(), Region: e.Region, Kind: string(e.Kind), Resource: e.Resource,
			Principals: strings.Join(e.Principals, ", "), Actions: strings.Join(e.Actions, ", "), Status: "organization", Class: "pass"}
		switch {
		case e.External:
			row.Status, row.Class = "outside", "fail"
			d.External++
		case to.Outside:
			row.Status, row.Class = "allow-listed", "skip"
			d.AllowListed++
		}
		d.Rows = append(d.Rows, row)
	}
	return htmlPage.Execute(w, d)
}

// The layout: two columns of boxes, the organization's OUs on the left and
// the outside on the right, with the arrows in the gutter.
const (
	margin   = 16
	nodeW    = 230
	nodeH    = 44 // at least; a box grows with its arrows
	slotH    = 16 // between two arrows on a box's side: a label's height
	nodeGap  = 10
	pad      = 12 // inside a group box
	titleH   = 22 // a group box's title band
	groupGap = 18
	gutter   = 400
	groupW   = nodeW + 2*pad
	maxChars = 30 // of a name in a box; the tooltip has it all
)

type (
	svgLayout struct {
		W, H   int
		Groups []svgBox
		Nodes  []svgBox
		Edges  []svgEdge
	}
	svgBox struct {
		X, Y, W, H int
		Title, Sub string
		Tip, Class string
	}
	svgEdge struct {
		D            string
		LX, LY       int
		Anchor       string // text-anchor of the label
		Label, Class string
		Tip          string
	}
)

// side is where arrows meet a box: every arrow leaves its account's right
// side, and reaches an outside node's left side or bends back to another
// account's right side.
type side struct {
	node  int
	right bool
}

// layout stacks the groups in their column and spreads each box's arrows
// evenly along its side, the box tall enough that the label each arrow
// carries at its head stays clear of its neighbours'. It depends only on
// the graph's order: the same map always draws the same picture.
func layout(g *Graph) svgLayout {
	links, grps := g.links(), g.groups()
	outside := make([]bool, len(g.Nodes))
	for _, grp := range grps {
		for _, i := range grp.Nodes {
			outside[i] = grp.Outside
		}
	}
	count := map[side]int{}
	slot := make([][2]int, len(links))
	for i, lk := range links {
		from, to := side{lk.From, true}, side{lk.To, !outside[lk.To]}
		slot[i] = [2]int{count[from], count[to]}
		count[from]++
		count[to]++
	}

	var l svgLayout
	colX := [2]int{margin, margin + groupW + gutter}
	colY := [2]int{margin, margin}
	boxes := make([]svgBox, len(g.Nodes))
	for _, grp := range grps {
		col := 0
		if grp.Outside {
			col = 1
		}
		x, y := colX[col], colY[col]
		top := y + titleH + pad
		for _, i := range grp.Nodes {
			n := &g.Nodes[i]
			lines := nodeLines(n)
			h := max(nodeH, (max(count[side{i, true}], count[side{i, false}])+1)*slotH)
			b := svgBox{X: x + pad, Y: top, W: nodeW, H: h, Title: clip(lines[0]), Tip: strings.Join(lines, " · "), Class: "node"}
			if len(lines) == 2 {
				b.Sub = clip(lines[1])
			}
			switch {
			case n.Outside && n.Trusted:
				b.Class += " trusted"
			case n.Outside:
				b.Class += " outside"
			}
			boxes[i] = b
			top += h + nodeGap
		}
		class := "group"
		if grp.Outside {
			class += " outside"
		}
		h := top - nodeGap + pad - y
		l.Groups = append(l.Groups, svgBox{X: x, Y: y, W: groupW, H: h, Title: grp.Title, Class: class})
		colY[col] += h + groupGap
	}
	l.W = colX[1] + groupW + margin
	l.H = max(colY[0], colY[1]) - groupGap + margin

	at := func(s side, k int) int { return boxes[s.node].Y + (k+1)*boxes[s.node].H/(count[s]+1) }
	for i, lk := range links {
		from, to := boxes[lk.From], boxes[lk.To]
		x1, y1 := from.X+from.W, at(side{lk.From, true}, slot[i][0])
		e := svgEdge{Label: lk.Label(), Tip: string(lk.Kind) + ": " + strings.Join(lk.Resources, ", "), Class: "edge"}
		if outside[lk.To] {
			x2, y2 := to.X, at(side{lk.To, false}, slot[i][1])
			mx := (x1 + x2) / 2
			e.D = fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, mx, y1, mx, y2, x2, y2)
			e.LX, e.LY, e.Anchor = x2-12, y2-4, "end"
		} else {
			y2 := at(side{lk.To, true}, slot[i][1])
			bend := min(40+abs(y2-y1)/3, gutter/2)
			e.D = fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, x1+bend, y1, x1+bend, y2, x1, y2)
			e.LX, e.LY, e.Anchor = x1+12, y2-4, "start"
		}
		switch {
		case lk.External:
			e.Class += " external"
		case lk.Trusted:
			e.Class += " trusted"
		}
		l.Edges = append(l.Edges, e)
	}
	l.Nodes = boxes
	return l
}

// clip shortens a label to what a box holds.
func clip(s string) string {
	if r := []rune(s); len(r) > maxChars {
		return string(r[:maxChars-1]) + "…"
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
