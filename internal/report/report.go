// Package report renders an audit result in the formats people and tools
// read: a terminal table, the JSON contract, CSV, OCSF, ASFF (Security Hub),
// SARIF, JUnit and a single-file HTML report. Every format shows the maturity
// stage of every account.
//
// Stages are written "F3" (foundational stage 3) everywhere but in the JSON
// contract, which keeps the number; "F0" means not even F1 is met.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Input is everything a report shows. Now and ToolVersion are injected so
// that the same input always renders the same bytes.
type Input struct {
	Result   *audit.Result
	Snapshot *snapshot.Snapshot
	// Now is when the report is generated; the observations themselves are
	// dated by the snapshot's collection time.
	Now         time.Time
	ToolVersion string
	// Color enables ANSI colour in the table format.
	Color bool
}

type renderer func(w io.Writer, v *view) error

// formats in the order they are offered; the first is the default.
var formats = []struct {
	name   string
	render renderer
}{
	{"table", writeTable},
	{"json", writeJSON},
	{"csv", writeCSV},
	{"ocsf", writeOCSF},
	{"asff", writeASFF},
	{"sarif", writeSARIF},
	{"junit", writeJUnit},
	{"html", writeHTML},
}

// Formats lists the format names, the default first.
func Formats() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = f.name
	}
	return out
}

// Known reports whether format is one Write accepts ("" is the default).
func Known(format string) bool { return lookup(format) != nil }

func lookup(format string) renderer {
	if format == "" {
		return formats[0].render
	}
	for _, f := range formats {
		if f.name == format {
			return f.render
		}
	}
	return nil
}

// Write renders in as format ("" for the default, table) to w.
func Write(w io.Writer, format string, in Input) error {
	render := lookup(format)
	if render == nil {
		return fmt.Errorf("unknown report format %q (%s)", format, strings.Join(Formats(), ", "))
	}
	if in.Result == nil {
		return fmt.Errorf("report: no audit result")
	}
	return render(w, newView(in))
}
