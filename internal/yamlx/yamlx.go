// Package yamlx reports YAML errors the way editors expect them: with the
// line and column of the offending node.
package yamlx

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// positioned is implemented by go-yaml's syntax, type and unknown-field errors.
type positioned interface {
	GetToken() *token.Token
	GetMessage() string
}

// Error rewrites a go-yaml error as "LINE:COLUMN: message". Errors without a
// position are returned as "1:1: message" so callers can always prefix a file.
func Error(err error) error {
	var p positioned
	if errors.As(err, &p) && p.GetToken() != nil {
		pos := p.GetToken().Position
		return fmt.Errorf("%d:%d: %s", pos.Line, pos.Column, p.GetMessage())
	}
	return fmt.Errorf("1:1: %v", err)
}

// SeqItemLines returns the line of every item of the top-level sequence under
// key, for errors found after decoding (validation of an item's values).
func SeqItemLines(src []byte, key string) []int {
	f, err := parser.ParseBytes(src, 0)
	if err != nil || len(f.Docs) == 0 {
		return nil
	}
	m, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		return nil
	}
	for _, kv := range m.Values {
		if kv.Key.GetToken().Value != key {
			continue
		}
		seq, ok := kv.Value.(*ast.SequenceNode)
		if !ok {
			return nil
		}
		lines := make([]int, len(seq.Values))
		for i, v := range seq.Values {
			lines[i] = v.GetToken().Position.Line
		}
		return lines
	}
	return nil
}
