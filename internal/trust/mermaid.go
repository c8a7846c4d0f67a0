package trust

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// The colours of the audit report's stylesheet (--fail, --fail-bg, --skip,
// --skip-bg, --muted), for the renderings that cannot read it.
const (
	failInk  = "#a4161a"
	failWash = "#fde6e6"
	skipInk  = "#4b5563"
	skipWash = "#eceff3"
	mutedInk = "#566173"
)

// mermaidText escapes a label for a quoted Mermaid string, where markup
// would be read as HTML.
var mermaidText = strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;")

// writeMermaid draws a left-to-right flowchart: a subgraph per OU and one
// for the outside. External grants are thick red arrows, allow-listed ones
// dashed.
func writeMermaid(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "flowchart LR")
	var outside, trusted []string
	for gi, grp := range g.groups() {
		fmt.Fprintf(bw, "  subgraph g%d[\"%s\"]\n", gi, mermaidText.Replace(grp.Title))
		for _, i := range grp.Nodes {
			n := &g.Nodes[i]
			fmt.Fprintf(bw, "    n%d[\"%s\"]\n", i, mermaidLines(nodeLines(n)))
			switch {
			case n.Outside && n.Trusted:
				trusted = append(trusted, fmt.Sprintf("n%d", i))
			case n.Outside:
				outside = append(outside, fmt.Sprintf("n%d", i))
			}
		}
		fmt.Fprintln(bw, "  end")
	}
	var red []string
	for i, l := range g.links() {
		arrow := "-->"
		switch {
		case l.External:
			arrow = "==>"
			red = append(red, fmt.Sprint(i))
		case l.Trusted:
			arrow = "-.->"
		}
		fmt.Fprintf(bw, "  n%d %s|\"%s\"| n%d\n", l.From, arrow, mermaidText.Replace(l.Label()), l.To)
	}
	fmt.Fprintf(bw, "  classDef outside fill:%s,stroke:%s,color:%s\n", failWash, failInk, failInk)
	fmt.Fprintf(bw, "  classDef trusted fill:%s,stroke:%s,stroke-dasharray:4 3\n", skipWash, skipInk)
	if len(outside) > 0 {
		fmt.Fprintf(bw, "  class %s outside\n", strings.Join(outside, ","))
	}
	if len(trusted) > 0 {
		fmt.Fprintf(bw, "  class %s trusted\n", strings.Join(trusted, ","))
	}
	if len(red) > 0 {
		fmt.Fprintf(bw, "  linkStyle %s stroke:%s,color:%s\n", strings.Join(red, ","), failInk, failInk)
	}
	return bw.Flush()
}

// nodeLines is a node's label in one or two lines: the name (or what the
// node stands for), then the id or what makes it stand out.
func nodeLines(n *Node) []string {
	switch {
	case n.Outside && n.Trusted:
		return []string{n.Label(), "allow-listed"}
	case n.Outside && n.ID != Anyone:
		return []string{n.Label(), "outside the organization"}
	case n.Name != "":
		return []string{n.Name, n.ID}
	}
	return []string{n.Label()}
}

func mermaidLines(lines []string) string {
	for i, l := range lines {
		lines[i] = mermaidText.Replace(l)
	}
	return strings.Join(lines, "<br/>")
}
