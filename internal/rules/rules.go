// Package rules is baseline's built-in Sigma rule pack for CloudTrail,
// embedded in the binary, and the loading of users' rules next to it.
//
// The pack lives in pack/, one rule (or a rule and its correlation) per file:
//
//   - pack/seed: the events every account must capture: root use, console
//     sign-ins without MFA or failing, changes to CloudTrail, Config,
//     GuardDuty, Security Hub and Organizations, bursts of denied calls, KMS
//     keys disabled, deleted, loosened or swept.
//   - pack/cis: the remaining CIS AWS Foundations monitoring changes (IAM
//     policies, bucket policies, security groups, NACLs, gateways, routes,
//     VPCs); see CISMonitoring.
//   - pack/stratus: one rule per attack technique, by tactic, written against
//     what each Stratus Red Team detonation leaves in CloudTrail. A rule names
//     the techniques it detects in its references
//     (https://stratus-red-team.cloud/attack-techniques/AWS/<technique>/).
//
// Change-monitoring rules (seed, cis) and technique rules overlap on purpose:
// StopLogging is both a CloudTrail configuration change (medium, the CIS alarm)
// and a trail stopped (high). Detection rules that only feed a correlation are
// level informational and are not reported on their own (Sigma generate: false).
package rules

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"

	"github.com/secure-baseline/baseline/internal/sigma"
)

//go:embed pack
var packFS embed.FS

// pack is the parsed built-in rule pack.
type pack struct {
	rules []*sigma.Rule
	byID  map[string]*sigma.Rule
	// detections holds each rule's detection section as plain YAML values,
	// for EventPattern.
	detections map[string]map[string]any
}

var builtin = sync.OnceValues(loadPack)

// Builtin returns the built-in rules, detection and correlation rules, in
// file order. They are parsed once; the returned slice is the caller's.
func Builtin() ([]*sigma.Rule, error) {
	p, err := builtin()
	if err != nil {
		return nil, err
	}
	return slices.Clone(p.rules), nil
}

func loadPack() (*pack, error) {
	rules, errs := sigma.LoadDir(packFS, "pack")
	if len(errs) > 0 {
		return nil, fmt.Errorf("built-in rules: %w", errors.Join(errs...))
	}
	if _, err := sigma.NewCorrelator(rules); err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	p := &pack{rules: rules, byID: map[string]*sigma.Rule{}, detections: map[string]map[string]any{}}
	for _, r := range rules {
		p.byID[r.ID] = r
	}
	err := fs.WalkDir(packFS, "pack", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := packFS.ReadFile(path)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(src))
		for {
			var doc struct {
				ID        string         `yaml:"id"`
				Detection map[string]any `yaml:"detection"`
			}
			switch err := dec.Decode(&doc); {
			case err == io.EOF:
				return nil
			case err != nil:
				return fmt.Errorf("%s: %w", path, err)
			}
			if doc.Detection != nil {
				p.detections[doc.ID] = doc.Detection
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	return p, nil
}

// Load returns the built-in rules followed by the rules in the .yml and .yaml
// files under each of userDirs. Every problem is returned and skips only the
// rule it concerns: a rule that cannot be parsed (the error names file and
// line), a user rule whose id or name is already taken by a built-in rule (the
// error names both), a correlation referencing a rule that is not there.
func Load(userDirs ...string) (rules []*sigma.Rule, errs []error) {
	rules, err := Builtin()
	if err != nil {
		return nil, []error{err}
	}
	var paths []string
	for _, dir := range userDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yml" || ext == ".yaml") {
				paths = append(paths, path)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("rules directory: %w", err))
		}
	}
	user, userErrs := sigma.LoadFiles(paths...)
	errs = append(errs, userErrs...)

	taken := map[string]*sigma.Rule{}
	for _, b := range rules {
		taken[b.ID] = b
		if b.Name != "" {
			taken[b.Name] = b
		}
	}
	var correlations []*sigma.Rule
	for _, r := range user {
		if b := cmp.Or(taken[r.ID], taken[r.Name]); b != nil {
			errs = append(errs, &sigma.Error{File: r.File, Line: r.Line, Msg: fmt.Sprintf(
				"rule %s %q: id or name already used by built-in rule %s %q (%s:%d)", r.ID, r.Title, b.ID, b.Title, b.File, b.Line)})
			continue
		}
		if r.Correlation != nil {
			correlations = append(correlations, r)
			continue
		}
		rules = append(rules, r)
	}
	// A correlation is only kept when what it references was loaded.
	for _, c := range correlations {
		if _, err := sigma.NewCorrelator(append(slices.Clip(rules), c)); err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, c)
	}
	return rules, errs
}
