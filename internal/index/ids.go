package index

import (
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// idKey is an event id reduced to 128 bits by two independent hashes: a
// false match needs a 128-bit collision, and a set of them costs a third of
// a set of strings.
type idKey [2]uint64

var idSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func keyOf(id string) idKey {
	return idKey{maphash.String(idSeeds[0], id), maphash.String(idSeeds[1], id)}
}

// loadIDs adds the event ids stored in the files of a partition folder to
// ids. Only the event_id column is read.
func loadIDs(dir string, ids map[idKey]struct{}) error {
	files, err := partFiles(dir)
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := fileIDs(path, func(id string) { ids[keyOf(id)] = struct{}{} }); err != nil {
			return fmt.Errorf("index: reading %s: %w", path, err)
		}
	}
	return nil
}

// fileIDs calls fn with every event id of one events file.
func fileIDs(path string, fn func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return err
	}
	leaf, ok := pf.Schema().Lookup("event_id")
	if !ok {
		return errors.New("no event_id column")
	}
	values := make([]parquet.Value, 1024)
	for _, rg := range pf.RowGroups() {
		if err := chunkValues(rg.ColumnChunks()[leaf.ColumnIndex], values, func(v parquet.Value) { fn(string(v.ByteArray())) }); err != nil {
			return err
		}
	}
	return nil
}

func chunkValues(cc parquet.ColumnChunk, buf []parquet.Value, fn func(parquet.Value)) error {
	pages := cc.Pages()
	defer pages.Close()
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		r := page.Values()
		for {
			n, err := r.ReadValues(buf)
			for _, v := range buf[:n] {
				fn(v)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				parquet.Release(page)
				return err
			}
		}
		parquet.Release(page)
	}
}
