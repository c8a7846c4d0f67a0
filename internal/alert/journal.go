package alert

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/secure-baseline/baseline/internal/detect"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// journal is the alert outbox on disk. A detection is appended, and synced,
// once per key before the caller may forget its source; delivery appends a
// "sent" line later. Reopening it yields what was accepted but not sent, and
// the keys accepted within the retention, so a redelivered event is never
// alerted twice.
//
// Lines are JSON: {"at":T,"d":DETECTION} for an accepted detection,
// {"sent":[KEY...]} for deliveries, and {"at":T,"k":KEY} for a delivered
// detection once compacted.
type journal struct {
	path string
	f    *os.File
	w    *bufio.Writer
	seen map[string]struct{} // keys accepted within the retention
}

type journalLine struct {
	At   time.Time         `json:"at,omitzero"`
	D    *detect.Detection `json:"d,omitempty"`
	K    string            `json:"k,omitempty"`
	Sent []string          `json:"sent,omitempty"`
}

// pending is a detection accepted but not yet delivered.
type pending struct {
	at time.Time
	d  detect.Detection
}

// openJournal loads the journal at path, compacts it (keys older than the
// retention are forgotten; undelivered detections are always kept) and
// opens it for appending.
func openJournal(path string, retention time.Duration, now time.Time, log *slog.Logger) (*journal, []pending, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, err
	}
	lines, err := readJournal(path, log)
	if err != nil {
		return nil, nil, err
	}
	j := &journal{path: path, seen: map[string]struct{}{}}
	var keep []journalLine
	var waiting []pending
	for _, l := range lines {
		switch {
		case !l.sent:
			waiting = append(waiting, pending{at: l.At, d: *l.D})
			keep = append(keep, journalLine{At: l.At, D: l.D})
		case now.Sub(l.At) <= retention:
			keep = append(keep, journalLine{At: l.At, K: l.key})
		default:
			continue
		}
		j.seen[l.key] = struct{}{}
	}
	if err := writeFileSync(path, keep); err != nil {
		return nil, nil, err
	}
	if j.f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		return nil, nil, err
	}
	j.w = bufio.NewWriter(j.f)
	return j, waiting, nil
}

type loaded struct {
	journalLine
	key  string
	sent bool
}

// readJournal folds the lines of the file into one entry per key, in the
// order accepted. A line cut short by a crash is skipped.
func readJournal(path string, log *slog.Logger) ([]*loaded, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byKey := map[string]*loaded{}
	var order []*loaded
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var l journalLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			log.Warn("alert journal: skipping an unreadable line", "file", path, "line", n, "error", err)
			continue
		}
		switch {
		case l.D != nil:
			if byKey[l.D.Key()] == nil {
				e := &loaded{journalLine: l, key: l.D.Key()}
				byKey[e.key] = e
				order = append(order, e)
			}
		case l.K != "":
			e := &loaded{journalLine: l, key: l.K, sent: true}
			byKey[e.key] = e
			order = append(order, e)
		}
		for _, k := range l.Sent {
			if e := byKey[k]; e != nil {
				e.sent = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return order, nil
}

// writeFileSync replaces path with lines, atomically and durably.
func writeFileSync(path string, lines []journalLine) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, l := range lines {
		if err = enc.Encode(l); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not supported everywhere (Windows); the rename stands
	return nil
}

// accept appends the detections whose keys are new, syncs, and returns them.
func (j *journal) accept(ds []detect.Detection, at time.Time) ([]detect.Detection, error) {
	var fresh []detect.Detection
	batch := map[string]bool{}
	enc := json.NewEncoder(j.w)
	for i := range ds {
		k := ds[i].Key()
		if _, dup := j.seen[k]; dup || batch[k] {
			continue
		}
		batch[k] = true
		if err := enc.Encode(journalLine{At: at, D: &ds[i]}); err != nil {
			return nil, err
		}
		fresh = append(fresh, ds[i])
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	if err := j.sync(); err != nil {
		return nil, fmt.Errorf("alert journal %s: %w", j.path, err)
	}
	for k := range batch {
		j.seen[k] = struct{}{}
	}
	return fresh, nil
}

// delivered records that keys were sent (or dead-lettered).
func (j *journal) delivered(keys []string) error {
	if err := json.NewEncoder(j.w).Encode(journalLine{Sent: keys}); err != nil {
		return err
	}
	return j.sync()
}

func (j *journal) sync() error {
	if err := j.w.Flush(); err != nil {
		return err
	}
	return j.f.Sync()
}

func (j *journal) close() error { return j.f.Close() }
