package sigma

import (
	"fmt"
	"io/fs"
	"os"
	"path"
)

// LoadDir parses every .yml and .yaml file under dir in fsys, in lexical
// order. It returns the valid rules and one error per problem (a bad file or
// document, a duplicate id or name); one bad rule never stops the others.
// Use os.DirFS to load from disk.
func LoadDir(fsys fs.FS, dir string) ([]*Rule, []error) {
	var rules []*Rule
	var errs []error
	walkErr := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		ext := path.Ext(p)
		if d.IsDir() || ext != ".yml" && ext != ".yaml" {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		rs, es := parseFile(p, src)
		rules = append(rules, rs...)
		errs = append(errs, es...)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, walkErr)
	}
	rules, dupErrs := dedupe(rules)
	return rules, append(errs, dupErrs...)
}

// LoadFiles parses the named rule files, like LoadDir.
func LoadFiles(paths ...string) ([]*Rule, []error) {
	var rules []*Rule
	var errs []error
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rs, es := parseFile(p, src)
		rules = append(rules, rs...)
		errs = append(errs, es...)
	}
	rules, dupErrs := dedupe(rules)
	return rules, append(errs, dupErrs...)
}

// dedupe keeps the first rule of each id or name and reports later ones.
// Ids and names share one namespace: correlations reference rules by either.
func dedupe(rules []*Rule) ([]*Rule, []error) {
	seen := map[string]*Rule{}
	var errs []error
	var kept []*Rule
	for _, r := range rules {
		refs := []struct{ kind, value string }{{"id", r.ID}}
		if r.Name != "" && r.Name != r.ID {
			refs = append(refs, struct{ kind, value string }{"name", r.Name})
		}
		var clash error
		for _, ref := range refs {
			if first, ok := seen[ref.value]; ok {
				clash = &Error{File: r.File, Line: r.Line, Msg: fmt.Sprintf("duplicate rule %s %q (first defined at %s:%d)",
					ref.kind, ref.value, first.File, first.Line)}
				break
			}
		}
		if clash != nil {
			errs = append(errs, clash)
			continue
		}
		for _, ref := range refs {
			seen[ref.value] = r
		}
		kept = append(kept, r)
	}
	return kept, errs
}
