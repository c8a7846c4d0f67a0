package handbook

import (
	"fmt"
	"html"
	"strings"
)

// diagram is a small directed graph laid out by hand: rows top to bottom,
// nodes placed on a grid of columns. It renders as Mermaid for MkDocs and
// as inline SVG for the HTML handbook, which must not fetch a renderer.
type diagram struct {
	title string
	nodes []node
	edges []edge
}

type node struct {
	id     string
	title  string
	lines  []string // at most two short lines under the title
	row    int
	column float64 // 0, 1, 2; halves sit between
}

type edge struct{ from, to, label string }

// Geometry of the SVG, in user units.
const (
	svgWidth  = 960
	boxWidth  = 270
	boxHeight = 74
	rowHeight = 150
	colWidth  = 320
	lineChars = 34 // what fits on a line of a box
)

func (d *diagram) node(id string) *node {
	for i := range d.nodes {
		if d.nodes[i].id == id {
			return &d.nodes[i]
		}
	}
	panic("handbook: diagram has no node " + id) // the diagram is a constant: only a bug gets here
}

// mermaid is the diagram as a Mermaid flowchart.
func (d *diagram) mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart TB\n")
	for _, n := range d.nodes {
		label := "<b>" + mermaidText(n.title) + "</b>"
		for _, l := range n.lines {
			label += "<br/>" + mermaidText(l)
		}
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", mermaidID(n.id), label)
	}
	for _, e := range d.edges {
		fmt.Fprintf(&b, "  %s -->|%s| %s\n", mermaidID(e.from), mermaidText(e.label), mermaidID(e.to))
	}
	return b.String()
}

// mermaidID keeps a node id clear of Mermaid's arrow syntax.
func mermaidID(id string) string { return strings.ReplaceAll(id, "-", "_") }

// mermaidText keeps what Mermaid labels take literally; account names
// come from the organization and could otherwise break the chart.
func mermaidText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && !strings.ContainsRune(` .,:;()_+/@'&*-`, r) &&
			!(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ' '
		}
		return r
	}, s)
}

// center is the middle of a node's box.
func (n *node) center() (x, y float64) {
	return svgWidth/2 + (n.column-1)*colWidth, float64(n.row)*rowHeight + 20 + boxHeight/2
}

// svg is the diagram as an inline SVG element; its colours come from the
// shared stylesheet.
func (d *diagram) svg() string {
	rows := 0
	for _, n := range d.nodes {
		rows = max(rows, n.row+1)
	}
	height := rows*rowHeight - rowHeight + boxHeight + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		svgWidth, height, svgWidth, height, html.EscapeString(d.title))
	b.WriteString(`<defs><marker id="diagram-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`)
	for _, e := range d.edges {
		from, to := d.node(e.from), d.node(e.to)
		x1, y1 := from.center()
		x2, y2 := to.center()
		// Leave from the side of the box facing the other node.
		dy := float64(boxHeight / 2)
		if y2 < y1 {
			dy = -dy
		}
		y1, y2 = y1+dy, y2-dy
		fmt.Fprintf(&b, `<g class="edge"><line x1="%g" y1="%g" x2="%g" y2="%g" marker-end="url(#diagram-arrow)"/>`, x1, y1, x2, y2)
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%s</text></g>`, (x1+x2)/2, (y1+y2)/2+4, html.EscapeString(e.label))
	}
	for _, n := range d.nodes {
		cx, cy := n.center()
		x, y := cx-boxWidth/2, cy-boxHeight/2
		fmt.Fprintf(&b, `<g class="node"><rect x="%g" y="%g" width="%d" height="%d" rx="8"/>`, x, y, boxWidth, boxHeight)
		fmt.Fprintf(&b, `<text class="title" x="%g" y="%g" text-anchor="middle">%s</text>`, cx, y+22, html.EscapeString(n.title))
		for i, l := range n.lines {
			fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%s</text>`, cx, y+42+float64(i)*18, html.EscapeString(l))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// clip shortens s to what fits on a line of a box.
func clip(s string) string {
	if r := []rune(s); len(r) > lineChars {
		return string(r[:lineChars-1]) + "…"
	}
	return s
}
