package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// writeJSON writes the audit JSON contract: {"summary", "findings"}, in the
// audit's order (catalog, account, region, resource), with empty lists and
// maps written as [] and {} rather than null.
func writeJSON(w io.Writer, v *view) error {
	res := *v.Result
	if res.Findings == nil {
		res.Findings = []catalog.Finding{}
	}
	if res.Summary.Maturity == nil {
		res.Summary.Maturity = map[string]int{}
	}
	return encodeJSON(w, &res)
}

// encodeJSON writes v indented, without HTML escaping: the output is read
// by people and tools, never embedded in a page.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeJSONArray streams an indented JSON array of n items, encoding one
// item at a time so that large audits are never held twice in memory.
func writeJSONArray(w io.Writer, n int, item func(i int) any) error {
	bw := bufio.NewWriter(w)
	if n == 0 {
		bw.WriteString("[]\n")
		return bw.Flush()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	bw.WriteString("[\n")
	for i := range n {
		buf.Reset()
		if err := enc.Encode(item(i)); err != nil {
			return err
		}
		bw.WriteString("  ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if i < n-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
