package watch

import (
	"sync"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/detect"
	"github.com/secure-baseline/baseline/internal/sigma"
)

// Detector runs the rules: records of one object go into a Batch, and
// Commit returns what they detect, correlations included. Flush closes the
// correlation windows still open (at the end of a drain).
type Detector interface {
	NewBatch() Batch
	Flush() []detect.Detection
}

// Batch is the records of one object or message.
type Batch interface {
	Add(*cloudtrail.Record)
	Commit() []detect.Detection
}

// NewDetector returns a Detector running rules (as rules.Load returns them)
// with the detect engine; rules below minLevel feed correlations only.
func NewDetector(rules []*sigma.Rule, minLevel string) (Detector, error) {
	d := &engine{}
	e, err := detect.New(rules, detect.Options{MinLevel: minLevel, Emit: d.emit})
	if err != nil {
		return nil, err
	}
	d.e = e
	return d, nil
}

// engine adapts detect.Engine, which emits through a callback while Commit
// or Flush runs, to return values.
type engine struct {
	e   *detect.Engine
	mu  sync.Mutex
	out []detect.Detection
}

func (d *engine) emit(x detect.Detection) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.out = append(d.out, x)
}

func (d *engine) take() []detect.Detection {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.out
	d.out = nil
	return out
}

func (d *engine) NewBatch() Batch { return &engineBatch{d: d, b: d.e.NewBatch()} }

func (d *engine) Flush() []detect.Detection {
	d.e.Flush()
	return d.take()
}

type engineBatch struct {
	d *engine
	b *detect.Batch
}

func (b *engineBatch) Add(r *cloudtrail.Record) { b.b.Add(r) }

func (b *engineBatch) Commit() []detect.Detection {
	b.d.e.Commit(b.b)
	return b.d.take()
}
