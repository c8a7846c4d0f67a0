package cloudtrail

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// localSource is a file, or a directory walked recursively in lexical order
// (so runs over the same tree are reproducible).
type localSource struct {
	root string
	dir  bool
	opts Options
}

func openLocal(root string, opts Options) (Source, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("cloudtrail: %w", err)
	}
	return &localSource{root: root, dir: st.IsDir(), opts: opts}, nil
}

func (s *localSource) Walk(ctx context.Context, fn func(Object, error) error) error {
	if !s.dir {
		// A file named on its own is read whatever its extension.
		loc := ParseLocation(s.root)
		if loc.Kind == KindOther {
			loc.Kind = KindLog
		}
		st, err := os.Stat(s.root)
		if err != nil {
			return fmt.Errorf("cloudtrail: %w", err)
		}
		return fn(Object{Name: s.root, Size: st.Size(), Loc: loc}, nil)
	}
	return filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if p == s.root {
				return fmt.Errorf("cloudtrail: %w", err)
			}
			return fn(Object{Name: p}, err)
		}
		if d.IsDir() {
			// A day folder out of range is not entered.
			if loc := ParseLocation(filepath.Join(p, "x.json")); loc.InTree && !s.opts.wanted(loc) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		loc := ParseLocation(p)
		if loc.Kind == KindOther || !s.opts.wanted(loc) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fn(Object{Name: p, Loc: loc}, err)
		}
		return fn(Object{Name: p, Size: info.Size(), Loc: loc}, nil)
	})
}

func (s *localSource) Open(_ context.Context, obj Object) (io.ReadCloser, error) {
	return os.Open(obj.Name)
}
