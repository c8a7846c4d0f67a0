package index

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The layout under the root:
//
//	events/account=ID/region=R/date=YYYY-MM-DD/part-HASH.parquet
//	refs/part-HASH.parquet
//	manifest/RUN.jsonl
//
// Files are immutable once renamed into place. A file being written is
// named .part-HASH.parquet.tmp: the leading dot hides it from Athena and Hive,
// and the glob part-*.parquet that DuckDB reads never matches it.
const (
	eventsDir   = "events"
	refsDir     = "refs"
	manifestDir = "manifest"
	partGlob    = "part-*.parquet"
	tmpSuffix   = ".tmp"
)

// DefaultRoot is the index directory when none is given:
// $XDG_DATA_HOME/baseline/trail, else ~/.local/share/baseline/trail.
func DefaultRoot() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "baseline", "trail"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("index: no data directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", "baseline", "trail"), nil
}

// partition names the folder of an event's file.
type partition struct {
	Account, Region, Date string
}

func partitionOf(row *eventRow, region string) partition {
	return partition{
		Account: pathValue(row.AccountID),
		Region:  pathValue(region),
		Date:    row.EventTime.UTC().Format(time.DateOnly),
	}
}

func (p partition) dir(root string) string {
	return filepath.Join(root, eventsDir, "account="+p.Account, "region="+p.Region, "date="+p.Date)
}

// pathValue makes a partition value safe as a path segment; an absent value
// becomes "unknown" so that the event still has a home.
func pathValue(s string) string {
	if s == "" {
		return "unknown"
	}
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// writeAtomic writes a file through a temporary sibling that is synced and
// renamed into place, and syncs the folder, so that a crash never leaves half
// a file under the final name, nor loses a file the manifest, written later,
// counts on. An existing file of that name is left alone: names are hashes of
// content, so it holds the same rows.
func writeAtomic(path string, write func(io.Writer) error) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	dir, name := filepath.Split(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+name+tmpSuffix)
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable, where the system allows it (not on
// Windows, which has no directory handles to sync).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// staleTemp is how old a temporary file must be before ingestion deletes it
// as the leftover of a crash (a younger one may belong to a running writer).
const staleTemp = time.Hour

// cleanTemps removes the temporary files that crashed runs left behind. They
// are invisible to readers anyway; this only reclaims their space.
func cleanTemps(root string, now time.Time) error {
	return filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), ".") || !strings.HasSuffix(d.Name(), tmpSuffix) {
			return nil
		}
		info, err := d.Info()
		if err == nil && now.Sub(info.ModTime()) > staleTemp {
			err = os.Remove(p)
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	})
}

// partFiles lists the data files of a folder.
func partFiles(dir string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, partGlob))
}
