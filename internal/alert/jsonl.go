package alert

import (
	"context"
	"encoding/json"
	"io"
	"sync"
)

// JSONL writes each alert as one line of JSON, to stdout or a file.
type JSONL struct {
	name string
	mu   sync.Mutex
	enc  *json.Encoder
}

// NewJSONL returns a sink writing to w; label names w in logs ("-" for
// stdout, or a file name).
func NewJSONL(w io.Writer, label string) *JSONL {
	return &JSONL{name: "jsonl:" + label, enc: json.NewEncoder(w)}
}

func (j *JSONL) Name() string { return j.name }

func (j *JSONL) Send(_ context.Context, a *Alert) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.enc.Encode(a)
}
