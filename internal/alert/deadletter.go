package alert

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// DeadLetter is the local JSONL file of alerts a sink did not take after
// every retry. The file is opened for each entry, so that Replay can move it
// aside while a watcher keeps appending.
type DeadLetter struct {
	path string
	mu   sync.Mutex
}

// DeadEntry is one line of a dead-letter file.
type DeadEntry struct {
	Time     time.Time `json:"time"`
	Sink     string    `json:"sink"` // the sink's Name
	Attempts int       `json:"attempts"`
	Error    string    `json:"error"`
	Alert    *Alert    `json:"alert"`
}

// NewDeadLetter returns the dead-letter file at path.
func NewDeadLetter(path string) *DeadLetter { return &DeadLetter{path: path} }

// Path is the file's name.
func (d *DeadLetter) Path() string { return d.path }

// Write appends an entry and syncs it.
func (d *DeadLetter) Write(e DeadEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(d.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// ReplayStats counts what Replay did.
type ReplayStats struct {
	Sent      int // delivered now
	Failed    int // failed again: back in the file
	Unmatched int // no configured sink has the entry's name: back in the file
}

// Replay sends the entries of a dead-letter file again, each to the sink of
// the same name among sinks, with retries. The file is first renamed to
// FILE.replaying (a replay interrupted before is resumed from there); what
// fails again or has no sink is appended to FILE anew.
func Replay(ctx context.Context, path string, sinks []Sink, r Retry) (ReplayStats, error) {
	var st ReplayStats
	work := path + ".replaying"
	if _, err := os.Stat(work); os.IsNotExist(err) {
		if err := os.Rename(path, work); err != nil {
			return st, err
		}
	}
	f, err := os.Open(work)
	if err != nil {
		return st, err
	}
	defer f.Close()
	byName := map[string]Sink{}
	for _, s := range sinks {
		byName[s.Name()] = s
	}
	dl := NewDeadLetter(path)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e DeadEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Alert == nil {
			return st, fmt.Errorf("%s: not a dead-letter entry: %q", work, truncate(sc.Text(), 80))
		}
		sink := byName[e.Sink]
		if sink == nil {
			st.Unmatched++
		} else if n, err := r.do(ctx, func(ctx context.Context) error { return sink.Send(ctx, e.Alert) }); err != nil {
			if ctx.Err() != nil {
				return st, ctx.Err() // the rest stays in FILE.replaying
			}
			st.Failed++
			e.Attempts, e.Error, e.Time = e.Attempts+n, err.Error(), time.Now().UTC()
		} else {
			st.Sent++
			continue
		}
		if err := dl.Write(e); err != nil {
			return st, err
		}
	}
	if err := sc.Err(); err != nil {
		return st, err
	}
	return st, os.Remove(work)
}
