package index

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// writeEvents writes one partition's rows, oldest first (so that the
// event_time statistics of row groups narrow time-bounded scans), to a file
// named by the hash of its event ids.
func writeEvents(dir string, rows []*eventRow) error {
	slices.SortFunc(rows, func(a, b *eventRow) int {
		return cmp.Or(a.EventTime.Compare(b.EventTime), strings.Compare(a.EventID, b.EventID))
	})
	h := sha256.New()
	for _, r := range rows {
		io.WriteString(h, r.EventID)
	}
	return writeParquet(filepath.Join(dir, partName(h.Sum(nil))), rows, writerOptions(eventsRowGroupRows, eventsPageSize))
}

// writeRefs writes the references of a batch's write events to one file,
// sorted by ref. It returns how many it wrote.
func writeRefs(root string, parts map[partition][]*eventRow) (int, error) {
	n := 0
	for _, rows := range parts {
		for _, r := range rows {
			n += len(r.refs)
		}
	}
	if n == 0 {
		return 0, nil
	}
	refs := make([]refRow, 0, n)
	for p, rows := range parts {
		for _, r := range rows {
			for _, ref := range r.refs {
				refs = append(refs, refRow{
					Ref: ref, EventTime: r.EventTime, EventID: r.EventID, AccountID: p.Account, Region: p.Region, Date: p.Date,
					EventName: r.EventName, EventSource: r.EventSource, PrincipalARN: r.PrincipalARN, PrincipalType: r.PrincipalType,
					SourceIP: r.SourceIP, UserAgent: r.UserAgent, ErrorCode: r.ErrorCode, What: r.what,
				})
			}
		}
	}
	// Sort pointers: a refRow is too wide to swap cheaply.
	sorted := make([]*refRow, n)
	for i := range refs {
		sorted[i] = &refs[i]
	}
	slices.SortFunc(sorted, func(a, b *refRow) int { return compareRefs(*a, *b) })
	h := sha256.New()
	for _, r := range sorted {
		io.WriteString(h, r.Ref)
		io.WriteString(h, r.EventID)
	}
	return n, writeParquet(filepath.Join(root, refsDir, partName(h.Sum(nil))), sorted, writerOptions(refsRowGroupRows, refsPageSize))
}

func partName(sum []byte) string {
	return "part-" + hex.EncodeToString(sum[:12]) + ".parquet"
}

func writeParquet[T any](path string, rows []T, opts []parquet.WriterOption) error {
	return writeAtomic(path, func(f io.Writer) error {
		pw := parquet.NewGenericWriter[T](f, opts...)
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		return pw.Close()
	})
}
