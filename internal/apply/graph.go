package apply

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// dag orders a plan's changes: a change waits for every change of the
// resources it depends on, and for the creation of its own resource.
type dag struct {
	nodes []node
}

type node struct {
	change  *catalog.Change
	next    []int // nodes waiting on this one
	waiting int   // unfinished nodes this one waits on
	doomed  bool  // a node it waits on did not succeed
	cause   string
	depth   int // deepest call chain of the nodes it waited on
}

func graph(changes []catalog.Change) (*dag, error) {
	g := &dag{nodes: make([]node, len(changes))}
	byRef := map[string][]int{}
	creates := map[string]int{}
	for i := range changes {
		c := &changes[i]
		g.nodes[i].change = c
		byRef[c.Ref()] = append(byRef[c.Ref()], i)
		if c.Action == catalog.Create {
			creates[c.Ref()] = i
		}
	}
	edge := func(from, to int) {
		g.nodes[from].next = append(g.nodes[from].next, to)
		g.nodes[to].waiting++
	}
	for i := range changes {
		c := &changes[i]
		seen := map[int]bool{i: true}
		for _, ref := range c.DependsOn {
			for _, j := range byRef[ref] {
				if !seen[j] {
					seen[j] = true
					edge(j, i)
				}
			}
		}
		if j, ok := creates[c.Ref()]; ok && !seen[j] && c.Action != catalog.Create {
			edge(j, i)
		}
	}
	if cycle := g.cycle(); cycle != "" {
		return nil, fmt.Errorf("plan has a dependency cycle: %s", cycle)
	}
	return g, nil
}

// cycle returns the ids along a dependency cycle, or "" when there is none.
func (g *dag) cycle() string {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(g.nodes))
	var path []int
	var found []int
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = grey
		path = append(path, i)
		for _, j := range g.nodes[i].next {
			switch color[j] {
			case grey:
				for k, p := range path {
					if p == j {
						found = append(append([]int{}, path[k:]...), j)
					}
				}
				return true
			case white:
				if visit(j) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		color[i] = black
		return false
	}
	for i := range g.nodes {
		if color[i] == white && visit(i) {
			ids := make([]string, len(found))
			for k, n := range found {
				ids[k] = g.nodes[n].change.ID
			}
			return strings.Join(ids, " → ")
		}
	}
	return ""
}

// Depth is the longest chain of changes that must run one after another:
// with latency L per write and enough concurrency, apply cannot finish in
// less than Depth × L × (writes per change).
func Depth(changes []catalog.Change) (int, error) {
	g, err := graph(changes)
	if err != nil {
		return 0, err
	}
	memo := make([]int, len(g.nodes))
	var depth func(i int) int
	depth = func(i int) int {
		if memo[i] > 0 {
			return memo[i]
		}
		d := 1
		for _, j := range g.nodes[i].next {
			d = max(d, 1+depth(j))
		}
		memo[i] = d
		return d
	}
	best := 0
	for i := range g.nodes {
		best = max(best, depth(i))
	}
	return best, nil
}
