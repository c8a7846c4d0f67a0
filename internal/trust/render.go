package trust

import (
	"fmt"
	"io"
	"strings"
)

// Formats are the renderings of the map.
var Formats = []string{"mermaid", "dot", "html"}

// Write renders the graph in one of Formats.
func Write(w io.Writer, format string, g *Graph) error {
	switch format {
	case "mermaid":
		return writeMermaid(w, g)
	case "dot":
		return writeDOT(w, g)
	case "html":
		return writeHTML(w, g)
	}
	return fmt.Errorf("unknown format %q (%s)", format, strings.Join(Formats, ", "))
}

// Link is the edges of one kind from an account to a principal, drawn as
// one arrow so that a hundred roles trusting one vendor stay readable.
type Link struct {
	From, To  int // indexes in Graph.Nodes
	Kind      Kind
	Resources []string
	External  bool
	// Trusted is set when the principal is outside but allow-listed.
	Trusted bool
}

// Label is the text of the arrow: the kind and the resource, or how many.
func (l *Link) Label() string {
	if len(l.Resources) == 1 {
		return string(l.Kind) + ": " + l.Resources[0]
	}
	return fmt.Sprintf("%s ×%d", l.Kind, len(l.Resources))
}

// links groups the edges into arrows, in the order of the edges.
func (g *Graph) links() []Link {
	index := g.index()
	type key struct {
		from, to int
		kind     Kind
	}
	at := map[key]int{}
	var out []Link
	for _, e := range g.Edges {
		k := key{index[e.Account], index[e.To], e.Kind}
		i, ok := at[k]
		if !ok {
			to := &g.Nodes[k.to]
			i, at[k] = len(out), len(out)
			out = append(out, Link{From: k.from, To: k.to, Kind: e.Kind, External: e.External, Trusted: to.Outside && to.Trusted})
		}
		out[i].Resources = append(out[i].Resources, e.Name())
	}
	return out
}

func (g *Graph) index() map[string]int {
	index := make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		index[n.ID] = i
	}
	return index
}

// group is a box of nodes: an OU of the organization, or the outside.
type group struct {
	Title   string
	Outside bool
	Nodes   []int
}

// groups boxes the nodes, which finish sorted so that each box is a run:
// the organization-wide node, the organization's accounts by OU, then
// everything outside.
func (g *Graph) groups() []group {
	var out []group
	for i := range g.Nodes {
		n := &g.Nodes[i]
		title := "Outside the organization"
		switch {
		case n.ID == g.OrgID && !n.Outside:
			title = "Organization " + g.OrgID
		case !n.Outside:
			title = n.OU
			if title == "" || title == "/" {
				title = "Root"
			}
		}
		if len(out) == 0 || out[len(out)-1].Title != title || out[len(out)-1].Outside != n.Outside {
			out = append(out, group{Title: title, Outside: n.Outside})
		}
		out[len(out)-1].Nodes = append(out[len(out)-1].Nodes, i)
	}
	return out
}
