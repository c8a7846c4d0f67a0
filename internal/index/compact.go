package index

import (
	"cmp"
	"container/heap"
	"crypto/sha256"
	"errors"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Compaction of refs. Every batch writes one refs file, and a lookup pays
// about a millisecond per file it opens, whatever it finds there: at ten
// million events, batch files alone would cost seconds. Files are merged by
// size tier, as log-structured stores do: when a tier (sizes within a factor
// of four) holds minMerge files, up to maxMerge of them are merged, smallest
// first, into one sorted file of a higher tier. At most minMerge-1 files stay
// per tier, and a reference is rewritten about once per tier it climbs:
// once for the hundreds of batches of a ten-million-event run. One file
// holding everything would not be faster: its footer, which DuckDB parses
// whole, grows with its row groups.
const (
	minMerge = 16
	maxMerge = 64
)

// compactRefs merges refs files until no tier holds minMerge of them. The
// merged file is in place before its inputs are removed, so a crash leaves
// rows twice (the queries tolerate that; the next merge drops them), never
// lost. Only one writer may compact an index at a time.
func compactRefs(root string) error {
	for {
		group, err := mergeGroup(filepath.Join(root, refsDir))
		if err != nil || group == nil {
			return err
		}
		if err := mergeRefs(root, group); err != nil {
			return err
		}
	}
}

// mergeGroup picks files of the lowest tier holding minMerge of them, or
// returns nil.
func mergeGroup(dir string) ([]string, error) {
	paths, err := partFiles(dir)
	if err != nil {
		return nil, err
	}
	type file struct {
		path string
		size int64
	}
	tiers := map[int][]file{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		tier := bits.Len64(uint64(st.Size())>>20) / 2 // log4 of MiB
		tiers[tier] = append(tiers[tier], file{p, st.Size()})
	}
	for _, tier := range slices.Sorted(func(yield func(int) bool) {
		for t := range tiers {
			if !yield(t) {
				return
			}
		}
	}) {
		fs := tiers[tier]
		if len(fs) < minMerge {
			continue
		}
		slices.SortFunc(fs, func(a, b file) int { return cmp.Compare(a.size, b.size) })
		var group []string
		for _, f := range fs[:min(len(fs), maxMerge)] {
			group = append(group, f.path)
		}
		return group, nil
	}
	return nil, nil
}

// mergeRefs merges sorted refs files into one, dropping rows repeated by
// an interrupted merge, then removes the inputs.
func mergeRefs(root string, inputs []string) error {
	var cursors []*refCursor
	closeAll := func() error {
		var errs []error
		for _, c := range cursors {
			errs = append(errs, c.close())
		}
		cursors = nil
		return errors.Join(errs...)
	}
	defer closeAll()
	h := &refHeap{}
	for _, p := range inputs {
		c, err := openRefCursor(p)
		if err != nil {
			return err
		}
		cursors = append(cursors, c)
		if err := c.advance(); err != nil {
			return err
		}
		if !c.done {
			h.cursors = append(h.cursors, c)
		}
	}
	heap.Init(h)

	sum := sha256.New()
	for _, p := range inputs {
		io.WriteString(sum, filepath.Base(p))
	}
	out := filepath.Join(root, refsDir, partName(sum.Sum(nil)))
	err := writeAtomic(out, func(w io.Writer) error {
		pw := parquet.NewGenericWriter[refRow](w, writerOptions(mergedRowGroupRows, refsPageSize)...)
		buf := make([]refRow, 0, 1024)
		var last refRow
		for h.Len() > 0 {
			c := h.cursors[0]
			if r := c.row(); r.Ref != last.Ref || r.EventID != last.EventID {
				buf = append(buf, r)
				last = r
			}
			if len(buf) == cap(buf) {
				if _, err := pw.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
			if err := c.advance(); err != nil {
				return err
			}
			if c.done {
				heap.Pop(h)
			} else {
				heap.Fix(h, 0)
			}
		}
		if _, err := pw.Write(buf); err != nil {
			return err
		}
		return pw.Close()
	})
	// Inputs are closed before they are removed, as Windows requires.
	if err = errors.Join(err, closeAll()); err != nil {
		return err
	}
	var rm []error
	for _, p := range inputs {
		rm = append(rm, os.Remove(p))
	}
	return errors.Join(rm...)
}

// refCursor reads one sorted refs file a block of rows at a time.
type refCursor struct {
	f    *os.File
	r    *parquet.GenericReader[refRow]
	buf  []refRow
	i    int
	done bool
}

func openRefCursor(path string) (*refCursor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &refCursor{f: f, r: parquet.NewGenericReader[refRow](f), buf: make([]refRow, 0, 512)}, nil
}

func (c *refCursor) row() refRow { return c.buf[c.i] }

// advance moves to the next row, reading a block when the buffer is spent.
func (c *refCursor) advance() error {
	if c.i++; c.i < len(c.buf) {
		return nil
	}
	n, err := c.r.Read(c.buf[:cap(c.buf)])
	c.buf, c.i = c.buf[:n], 0
	if err != nil && err != io.EOF {
		return err
	}
	c.done = n == 0
	return nil
}

func (c *refCursor) close() error { return errors.Join(c.r.Close(), c.f.Close()) }

// refHeap orders cursors by their current row, as refs files are sorted.
type refHeap struct{ cursors []*refCursor }

func (h *refHeap) Len() int { return len(h.cursors) }
func (h *refHeap) Less(i, j int) bool {
	return compareRefs(h.cursors[i].row(), h.cursors[j].row()) < 0
}
func (h *refHeap) Swap(i, j int) { h.cursors[i], h.cursors[j] = h.cursors[j], h.cursors[i] }
func (h *refHeap) Push(x any)    { h.cursors = append(h.cursors, x.(*refCursor)) }
func (h *refHeap) Pop() any {
	c := h.cursors[len(h.cursors)-1]
	h.cursors = h.cursors[:len(h.cursors)-1]
	return c
}

// compareRefs is the order of refs files: by ref, newest first, by event.
func compareRefs(a, b refRow) int {
	return cmp.Or(strings.Compare(a.Ref, b.Ref), b.EventTime.Compare(a.EventTime), strings.Compare(a.EventID, b.EventID))
}
