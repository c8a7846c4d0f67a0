// Package attest reads the attestation file that satisfies manual controls:
// who vouched for which control in which account, when, with what evidence,
// and until when.
package attest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/secure-baseline/baseline/internal/yamlx"
)

// Attestation is one person's statement that a manual control is satisfied.
type Attestation struct {
	Control  string `yaml:"control" json:"control"`
	Account  string `yaml:"account" json:"account"` // account id, or "*" for every account
	By       string `yaml:"by" json:"by"`
	Date     string `yaml:"date" json:"date"`
	Evidence string `yaml:"evidence" json:"evidence"`
	Expires  string `yaml:"expires" json:"expires"`

	date, expires time.Time
	line          int
}

// DateOf is when the attestation was made.
func (a *Attestation) DateOf() time.Time { return a.date }

// ExpiresAt is when it stops counting.
func (a *Attestation) ExpiresAt() time.Time { return a.expires }

// Set is the attestations of one file.
type Set struct {
	items []*Attestation
}

type file struct {
	Attestations []*Attestation `yaml:"attestations"`
}

// DefaultValidity applies when an attestation names no expiry.
const DefaultValidity = 365 * 24 * time.Hour

// Known reports whether a control id exists and is manual; Parse uses it to
// reject attestations of unknown or automated controls.
type Known func(controlID string) (exists, manual bool)

// ParseFile reads an attestation file.
func ParseFile(path string, known Known) (*Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(b, known)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return s, nil
}

// Parse reads attestations from YAML (JSON is YAML too). Errors start with
// "LINE:COLUMN: " so callers can prefix the file name.
func Parse(b []byte, known Known) (*Set, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(b), yaml.DisallowUnknownField())
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return &Set{}, nil
		}
		return nil, yamlx.Error(err)
	}
	lines := yamlx.SeqItemLines(b, "attestations")
	set := &Set{}
	for i, a := range f.Attestations {
		if a == nil {
			continue
		}
		a.line = 1
		if i < len(lines) {
			a.line = lines[i]
		}
		if err := a.validate(known); err != nil {
			return nil, fmt.Errorf("%d:1: attestation %d: %w", a.line, i+1, err)
		}
		set.items = append(set.items, a)
	}
	return set, nil
}

func (a *Attestation) validate(known Known) error {
	if a.Control == "" {
		return errors.New("control is required")
	}
	if known != nil {
		exists, manual := known(a.Control)
		if !exists {
			return fmt.Errorf("unknown control %q", a.Control)
		}
		if !manual {
			return fmt.Errorf("control %q is checked automatically and cannot be attested", a.Control)
		}
	}
	if a.Account == "" {
		return errors.New(`account is required (an account id, or "*")`)
	}
	if a.Account != "*" && !isAccountID(a.Account) {
		return fmt.Errorf("account %q is not a 12-digit account id or \"*\"", a.Account)
	}
	if strings.TrimSpace(a.By) == "" {
		return errors.New("by (who attests) is required")
	}
	d, err := parseDate(a.Date)
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	a.date = d
	a.expires = d.Add(DefaultValidity)
	if a.Expires != "" {
		if a.expires, err = parseDate(a.Expires); err != nil {
			return fmt.Errorf("expires: %w", err)
		}
		if a.expires.Before(a.date) {
			return errors.New("expires is before date")
		}
	}
	return nil
}

// Lookup returns the attestation that applies to control in account (an
// account-specific one wins over "*"), or nil.
func (s *Set) Lookup(control, account string) *Attestation {
	if s == nil {
		return nil
	}
	var wildcard *Attestation
	for _, a := range s.items {
		if a.Control != control {
			continue
		}
		if a.Account == account {
			return a
		}
		if a.Account == "*" && wildcard == nil {
			wildcard = a
		}
	}
	return wildcard
}

// All returns the attestations in file order.
func (s *Set) All() []*Attestation {
	if s == nil {
		return nil
	}
	return s.items
}

func parseDate(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, errors.New("is required (YYYY-MM-DD)")
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD or RFC 3339)", v)
	}
	return t, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
