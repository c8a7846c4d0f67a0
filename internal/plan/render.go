package plan

import (
	"fmt"
	"io"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// WriteJSON writes the plan in the JSON contract:
// {"changes": [...], "blocked": [...], "manual": [...], ...}.
func (p *Plan) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteText writes the plan for people: one line per change with the fields
// that change (before → after), then what is blocked, then the manual steps.
func (p *Plan) WriteText(w io.Writer) error {
	bw := &errWriter{w: w}
	c, u, d := p.Counts()
	accounts, regions := len(p.Scope.Accounts), len(p.Scope.Regions)
	if p.Empty() {
		bw.printf("No changes: the %d accounts × %d regions match the baseline for the %d controls planned.\n", accounts, regions, len(p.Scope.Controls))
	} else {
		bw.printf("Plan: %d to create, %d to update, %d to delete (%d accounts × %d regions, %d controls).\n\n", c, u, d, accounts, regions, len(p.Scope.Controls))
	}
	for _, ch := range p.Changes {
		bw.printf("%s %-34s %-12s %-10s %s\n", ch.Action.Symbol(), ch.ControlID, ch.AccountID, regionLabel(ch.Region), ch.Resource)
		for _, line := range describe(ch) {
			bw.printf("      %s\n", line)
		}
	}
	if len(p.Blocked) > 0 {
		bw.printf("\nNot changed (%d):\n", len(p.Blocked))
		for _, b := range p.Blocked {
			where := strings.TrimSpace(fmt.Sprintf("%s %s %s", b.AccountID, regionLabel(b.Region), b.Resource))
			bw.printf("! %-34s %s: %s\n", b.ControlID, where, b.Reason)
		}
	}
	if len(p.Manual) > 0 {
		bw.printf("\nManual steps still owed (%d controls; attest them in the attestation file):\n", len(p.Manual))
		for _, m := range p.Manual {
			bw.printf("  %-34s %-3s %s\n", m.ControlID, m.Stage, m.Title)
		}
	}
	return bw.err
}

func regionLabel(r string) string {
	if r == "" {
		return "global"
	}
	return r
}

// describe lists what a change sets: every field of after for a creation,
// the fields that differ (before → after) for an update.
func describe(ch catalog.Change) []string {
	before, after := flatten(ch.Before), flatten(ch.After)
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []string
	for _, k := range catalog.SortedKeys(keys) {
		b, a := before[k], after[k]
		switch {
		case ch.Action == catalog.Create:
			out = append(out, fmt.Sprintf("%s: %s", k, a))
		case ch.Action == catalog.Delete:
			out = append(out, fmt.Sprintf("%s: %s", k, b))
		case a != b:
			out = append(out, fmt.Sprintf("%s: %s → %s", k, orNone(b), orNone(a)))
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// flatten turns a value into "path: compact JSON" pairs one level deep, so
// that long documents (policies) show as one line each.
func flatten(v any) map[string]string {
	out := map[string]string{}
	if v == nil {
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return out
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		out["value"] = clip(string(b))
		return out
	}
	for k, x := range m {
		if x == nil {
			continue
		}
		s, _ := json.Marshal(x)
		out[k] = clip(string(s))
	}
	return out
}

func clip(s string) string {
	const max = 160
	if len(s) > max {
		return s[:max-1] + "…"
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
