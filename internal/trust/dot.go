package trust

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// dotText escapes a label for a quoted DOT string; "\n" breaks lines.
var dotText = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// writeDOT draws the same map as writeMermaid for Graphviz: a cluster per
// OU and one for the outside.
func writeDOT(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph trust {")
	fmt.Fprintln(bw, "  rankdir=LR;")
	fmt.Fprintf(bw, "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=%q, fontname=\"Helvetica\"];\n", mutedInk)
	fmt.Fprintf(bw, "  edge [color=%q, fontname=\"Helvetica\", fontsize=10];\n", mutedInk)
	for gi, grp := range g.groups() {
		fmt.Fprintf(bw, "  subgraph cluster_%d {\n    label=\"%s\";\n", gi, dotText.Replace(grp.Title))
		for _, i := range grp.Nodes {
			n := &g.Nodes[i]
			attrs := ""
			switch {
			case n.Outside && n.Trusted:
				attrs = fmt.Sprintf(", color=%q, fillcolor=%q, style=\"rounded,filled,dashed\"", skipInk, skipWash)
			case n.Outside:
				attrs = fmt.Sprintf(", color=%q, fillcolor=%q, fontcolor=%q", failInk, failWash, failInk)
			}
			fmt.Fprintf(bw, "    n%d [label=\"%s\"%s];\n", i, dotText.Replace(strings.Join(nodeLines(n), "\n")), attrs)
		}
		fmt.Fprintln(bw, "  }")
	}
	for _, l := range g.links() {
		attrs := ""
		switch {
		case l.External:
			attrs = fmt.Sprintf(", color=%q, fontcolor=%q, penwidth=2", failInk, failInk)
		case l.Trusted:
			attrs = ", style=dashed"
		}
		fmt.Fprintf(bw, "  n%d -> n%d [label=\"%s\"%s];\n", l.From, l.To, dotText.Replace(l.Label()), attrs)
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}
