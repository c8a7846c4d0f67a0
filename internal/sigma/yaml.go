package sigma

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// node is a position-carrying YAML value. Rules are read from this small tree
// instead of goccy's AST so that the rule parser deals with four shapes only and
// every error can name a line.
type node struct {
	kind   nodeKind
	line   int
	col    int
	text   string  // scalar text as written (numbers and booleans keep their spelling)
	quoted bool    // scalar was single- or double-quoted: its text starts at col+1
	items  []*node // sequence entries or mapping values
	keys   []*node // mapping keys, parallel to items
}

type nodeKind uint8

const (
	scalarNode nodeKind = iota
	nullNode
	seqNode
	mapNode
)

// maxDepth bounds YAML nesting; Sigma rules are a few levels deep.
const maxDepth = 64

func (k nodeKind) String() string {
	return [...]string{"scalar", "null", "list", "map"}[k]
}

// get returns the value stored under key in a mapping, or nil.
func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k.text == key {
			return n.items[i]
		}
	}
	return nil
}

// document is one YAML document of a stream, or the error that prevented
// reading it.
type document struct {
	root *node
	err  error
}

// parseYAML splits a YAML stream at its "---" markers and parses each document
// on its own, so that a syntax error in one rule of a multi-rule file does not
// hide the others. Line numbers stay those of the whole file.
func parseYAML(src []byte) []document {
	var docs []document
	lines := bytes.SplitAfter(src, []byte("\n"))
	start := 0
	flush := func(end int) {
		chunk := bytes.Join(lines[start:end], nil)
		if len(bytes.TrimSpace(chunk)) == 0 {
			return
		}
		// Padding with newlines keeps goccy's line numbers file-relative.
		padded := append(bytes.Repeat([]byte("\n"), start), chunk...)
		docs = append(docs, parseChunk(padded)...)
	}
	for i, l := range lines {
		if i > start && isDocumentMarker(l) {
			flush(i)
			start = i
		}
	}
	flush(len(lines))
	return docs
}

func isDocumentMarker(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := line[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

func parseChunk(src []byte) (docs []document) {
	defer func() {
		// goccy/go-yaml is not hardened against hostile input; a panic there must
		// not take the whole rule load down.
		if r := recover(); r != nil {
			docs = []document{{err: &Error{Msg: fmt.Sprintf("invalid YAML: %v", r)}}}
		}
	}()
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return []document{{err: yamlError(err)}}
	}
	for _, d := range f.Docs {
		if d.Body == nil {
			continue
		}
		c := converter{anchors: map[string]*node{}}
		root, err := c.convert(d.Body, 0)
		docs = append(docs, document{root: root, err: err})
	}
	return docs
}

func yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{Msg: "invalid YAML: " + ye.GetMessage()}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
		return e
	}
	return &Error{Msg: "invalid YAML: " + err.Error()}
}

type converter struct {
	anchors map[string]*node
}

func (c *converter) convert(n ast.Node, depth int) (*node, error) {
	line, col := position(n.GetToken())
	if depth > maxDepth {
		return nil, &Error{Line: line, Column: col, Msg: "YAML nested too deeply"}
	}
	out := &node{line: line, col: col}
	switch v := n.(type) {
	case *ast.MappingNode:
		out.kind = mapNode
		for _, mv := range v.Values {
			if err := c.addEntry(out, mv, depth); err != nil {
				return nil, err
			}
		}
		if len(out.keys) > 0 {
			out.line, out.col = out.keys[0].line, out.keys[0].col
		}
	case *ast.MappingValueNode:
		out.kind = mapNode
		if err := c.addEntry(out, v, depth); err != nil {
			return nil, err
		}
		out.line, out.col = out.keys[0].line, out.keys[0].col
	case *ast.SequenceNode:
		out.kind = seqNode
		for _, item := range v.Values {
			child, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, child)
		}
	case *ast.StringNode:
		out.text = v.Value
		out.quoted = v.Token.Type == token.SingleQuoteType || v.Token.Type == token.DoubleQuoteType
	case *ast.LiteralNode:
		out.text = v.Value.Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		out.text = n.GetToken().Value
	case *ast.NullNode:
		out.kind = nullNode
	case *ast.AnchorNode:
		child, err := c.convert(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		c.anchors[v.Name.GetToken().Value] = child
		return child, nil
	case *ast.AliasNode:
		name := v.Value.GetToken().Value
		target, ok := c.anchors[name]
		if !ok {
			return nil, &Error{Line: line, Column: col, Msg: fmt.Sprintf("unknown YAML alias *%s", name)}
		}
		return target, nil
	case *ast.TagNode:
		child, err := c.convert(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.Start.Value == "!!str" && child.kind == nullNode {
			child = &node{kind: scalarNode, line: child.line, col: child.col}
		}
		return child, nil
	default:
		return nil, &Error{Line: line, Column: col, Msg: fmt.Sprintf("unsupported YAML construct %s", n.Type())}
	}
	return out, nil
}

func (c *converter) addEntry(m *node, mv *ast.MappingValueNode, depth int) error {
	key, err := c.convert(mv.Key, depth+1)
	if err != nil {
		return err
	}
	if key.kind != scalarNode || mv.Key.IsMergeKey() {
		return &Error{Line: key.line, Column: key.col, Msg: "mapping keys must be plain strings"}
	}
	val, err := c.convert(mv.Value, depth+1)
	if err != nil {
		return err
	}
	m.keys = append(m.keys, key)
	m.items = append(m.items, val)
	return nil
}

func position(tk *token.Token) (line, col int) {
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}
