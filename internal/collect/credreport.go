package collect

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

// parseCredentialReport reads the CSV of GetCredentialReport. Columns are
// found by name, so added or reordered columns do not break it; a value
// that is neither a date, a boolean nor one of the report's placeholders is
// an error, never a guess.
func parseCredentialReport(content []byte) ([]snapshot.CredentialEntry, error) {
	r := csv.NewReader(bytes.NewReader(content))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("credential report header: %w", err)
	}
	col := map[string]int{}
	for i, name := range header {
		col[name] = i
	}
	for _, name := range []string{"user", "arn"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("credential report has no %q column", name)
		}
	}
	var out []snapshot.CredentialEntry
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("credential report: %w", err)
		}
		row := reportRow{rec: rec, col: col}
		e := snapshot.CredentialEntry{
			User:                row.text("user"),
			Arn:                 row.text("arn"),
			UserCreation:        row.time("user_creation_time"),
			PasswordEnabled:     row.bool("password_enabled"),
			PasswordLastUsed:    row.time("password_last_used"),
			PasswordLastChanged: row.time("password_last_changed"),
			MFAActive:           row.bool("mfa_active"),
		}
		for k := range e.AccessKeys {
			prefix := fmt.Sprintf("access_key_%d_", k+1)
			e.AccessKeys[k] = snapshot.AccessKey{
				Active:   row.bool(prefix + "active"),
				Rotated:  row.time(prefix + "last_rotated"),
				LastUsed: row.time(prefix + "last_used_date"),
			}
		}
		if row.err != nil {
			return nil, fmt.Errorf("credential report line %d: %w", line, row.err)
		}
		if e.User == "" {
			return nil, fmt.Errorf("credential report line %d: empty user", line)
		}
		out = append(out, e)
	}
}

// reportRow reads the cells of one row by column name and keeps the first
// bad value it met.
type reportRow struct {
	rec []string
	col map[string]int
	err error
}

func (r *reportRow) text(name string) string {
	if i, ok := r.col[name]; ok {
		return r.rec[i]
	}
	return ""
}

// placeholder reports the report's words for "no value".
func placeholder(v string) bool {
	switch v {
	case "", "N/A", "no_information", "not_supported":
		return true
	}
	return false
}

func (r *reportRow) bool(name string) bool {
	switch v := r.text(name); {
	case v == "true":
		return true
	case v == "false" || placeholder(v):
		return false
	default:
		r.fail(name, v)
		return false
	}
}

func (r *reportRow) time(name string) *time.Time {
	v := r.text(name)
	if placeholder(v) {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		r.fail(name, v)
		return nil
	}
	t = t.UTC()
	return &t
}

func (r *reportRow) fail(name, v string) {
	if r.err == nil {
		r.err = fmt.Errorf("column %s: unexpected value %q", name, v)
	}
}
