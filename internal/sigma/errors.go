package sigma

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a problem found in a rule file. Line and Column are 1-based and zero
// when unknown.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("<input>")
	}
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// errAt returns an *Error located at n; the file name is filled in by the caller
// that knows it (see withFile).
func errAt(n *node, format string, args ...any) *Error {
	e := &Error{Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.line, n.col
	}
	return e
}

// withFile sets the file name of err when it is an *Error without one.
func withFile(err error, file string) error {
	if e, ok := err.(*Error); ok {
		if e.File == "" {
			e.File = file
		}
		return e
	}
	return &Error{File: file, Msg: err.Error()}
}
