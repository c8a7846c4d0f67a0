// Package corpus generates realistic CloudTrail logs for the benchmarks and
// the demo: gzip files in the layout CloudTrail writes to S3, deterministic by
// seed, fast to build (a million events in seconds).
//
// The events follow the mix of a busy organization trail's management
// events: mostly reads by workloads, EC2 instance profiles and AWS services
// (AssumeRole, KMS, Describe*), some console and CLI use by people, a few
// writes, and the errors real trails carry (denied calls, throttling,
// missing resources). Each is 1–1.5 KB, with the nesting CloudTrail has
// (session context, TLS details, request parameters, resources). A few
// attacks the built-in rules detect are sprinkled in; the Manifest lists
// them. With Options.Digests, the digest files of log file validation come
// with them, signed, for `trail verify` (see digest.go).
package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"
)

// Options describe a corpus: the same options give the same log files
// (digests are signed with a key generated for each corpus).
type Options struct {
	Events   int    `json:"events"`
	Seed     uint64 `json:"seed"`
	Accounts int    `json:"accounts"` // default 4
	// AccountIDs names the accounts (the demo's organization); default
	// generated ids, as many as Accounts.
	AccountIDs []string `json:"account_ids,omitempty"`
	Regions    []string `json:"regions"`          // default us-east-1, eu-west-1, eu-central-1
	PerFile    int      `json:"per_file"`         // average events per file, default 1000
	Start      string   `json:"start"`            // RFC 3339, default 2025-03-14T00:00:00Z
	Attacks    int      `json:"attacks"`          // attacks sprinkled, default 2 per 100,000 events, at least one of each
	OrgID      string   `json:"org_id"`           // default o-exampleorg1
	Interval   int      `json:"interval_minutes"` // time covered by a file, default 5
	// Digests also writes the signed digest files of log file validation
	// and PublicKeysName; hashing every file makes the corpus slower to
	// build.
	Digests bool `json:"digests"`
}

// Manifest is what Generate wrote.
type Manifest struct {
	Options  Options        `json:"options"`
	Files    int            `json:"files"`
	Events   int            `json:"events"`
	Bytes    int64          `json:"bytes"`     // gzip, on disk
	RawBytes int64          `json:"raw_bytes"` // JSON
	Attacks  map[string]int `json:"attacks"`   // by attack name
	Digests  int            `json:"digests"`   // digest files, with Options.Digests
}

// manifestName is not a .json name, so that readers of the directory skip it.
const manifestName = "corpus.manifest"

func (o *Options) defaults() {
	if len(o.AccountIDs) > 0 {
		o.Accounts = len(o.AccountIDs)
	}
	if o.Accounts <= 0 {
		o.Accounts = 4
	}
	if len(o.Regions) == 0 {
		o.Regions = []string{"us-east-1", "eu-west-1", "eu-central-1"}
	}
	if o.PerFile <= 0 {
		o.PerFile = 1000
	}
	if o.Start == "" {
		o.Start = "2025-03-14T00:00:00Z"
	}
	if o.Attacks <= 0 {
		o.Attacks = max(len(attacks), o.Events/50_000)
	}
	if o.OrgID == "" {
		o.OrgID = "o-exampleorg1"
	}
	if o.Interval <= 0 {
		o.Interval = 5
	}
}

// Generate writes the corpus under dir, or returns the manifest of the one
// there when it was made with the same options.
func Generate(dir string, opts Options) (Manifest, error) {
	opts.defaults()
	start, err := time.Parse(time.RFC3339, opts.Start)
	if err != nil {
		return Manifest{}, fmt.Errorf("corpus: start: %w", err)
	}
	if m, err := readManifest(dir); err == nil && reflect.DeepEqual(m.Options, opts) {
		return m, nil
	}
	for _, old := range []string{"AWSLogs", PublicKeysName} {
		if err := os.RemoveAll(filepath.Join(dir, old)); err != nil {
			return Manifest{}, err
		}
	}
	p := plan{opts: opts, start: start, dir: dir}
	p.files = (opts.Events + opts.PerFile - 1) / opts.PerFile
	m := Manifest{Options: opts, Files: p.files, Events: opts.Events, Attacks: map[string]int{}}
	logs := make([]logFile, p.files)
	g := errgroup.Group{}
	g.SetLimit(runtime.GOMAXPROCS(0))
	for f := range p.files {
		g.Go(func() (err error) {
			logs[f], err = p.writeFile(f)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return Manifest{}, err
	}
	for _, l := range logs {
		m.Bytes += l.gz
		m.RawBytes += l.raw
		for _, n := range l.attacks {
			m.Attacks[n]++
		}
	}
	if opts.Digests {
		if m.Digests, err = p.writeDigests(logs); err != nil {
			return Manifest{}, err
		}
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	return m, os.WriteFile(filepath.Join(dir, manifestName), body, 0o644)
}

func readManifest(dir string) (Manifest, error) {
	var m Manifest
	body, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return m, err
	}
	if m.Files == 0 {
		return m, errors.New("corpus: empty manifest")
	}
	return m, nil
}

// plan places files: file f belongs to partition (account, region) f mod
// partitions and covers the f/partitions-th interval of it.
type plan struct {
	opts  Options
	start time.Time
	dir   string
	files int
}

func (p *plan) account(a int) string {
	if a < len(p.opts.AccountIDs) {
		return p.opts.AccountIDs[a]
	}
	return fmt.Sprintf("%012d", 111111111111*(a+1)%1_000_000_000_000)
}

// size returns the number of events of file f: the average, give or take
// 40% (pairs of files compensate), so that the total is exact.
func (p *plan) size(f int) int {
	base, extra := p.opts.Events/p.files, p.opts.Events%p.files
	n := base
	if f < extra {
		n++
	}
	if pair := f &^ 1; pair+1 < p.files {
		d := int(rand.New(rand.NewPCG(p.opts.Seed, uint64(pair))).Uint64() % uint64(base*2/5+1))
		if f == pair {
			n += d
		} else {
			n -= d
		}
	}
	return n
}

// attacksOf returns the attacks planted in file f.
func (p *plan) attacksOf(f int) []attack {
	var out []attack
	for i := range p.opts.Attacks {
		if i*p.files/p.opts.Attacks+p.files/(2*p.opts.Attacks) == f {
			out = append(out, attacks[i%len(attacks)])
		}
	}
	return out
}

// logFile is what Generate keeps of a log file it wrote.
type logFile struct {
	key            string // the S3 key, which is its path below the corpus directory
	delivered      time.Time
	oldest, newest time.Time // of its events
	sha256         string    // hex, of its JSON; only with Options.Digests
	raw, gz        int64     // JSON and gzip sizes
	attacks        []string  // the names of the attacks in it
}

// partitions is the number of (account, region) pairs.
func (p *plan) partitions() int { return p.opts.Accounts * len(p.opts.Regions) }

// writeFile writes file f.
func (p *plan) writeFile(f int) (logFile, error) {
	parts := p.partitions()
	a, r, slot := f%parts/len(p.opts.Regions), f%len(p.opts.Regions), f/parts
	rng := rand.New(rand.NewPCG(p.opts.Seed, uint64(f)+1<<32))
	account := p.account(a)
	g := &fileGen{rng: rng, account: account, region: p.opts.Regions[r], who: principals(a, account)}
	interval := time.Duration(p.opts.Interval) * time.Minute
	from := p.start.Add(time.Duration(slot) * interval)

	n := p.size(f)
	times := make([]time.Time, n)
	for i := range times {
		times[i] = from.Add(time.Duration(rng.Int64N(int64(interval))))
	}
	slices.SortFunc(times, time.Time.Compare)
	var l logFile
	var planted []event
	for _, at := range p.attacksOf(f) {
		planted = append(planted, at.events(g, from.Add(interval/5))...)
		l.attacks = append(l.attacks, at.name)
	}
	g.b = append(make([]byte, 0, n*1400), `{"Records":[`...)
	for i, t := range times {
		var e event
		if i < len(planted) {
			e = planted[i]
		} else {
			e = g.everyday(t)
		}
		g.write(e)
		if i == 0 || e.t.Before(l.oldest) {
			l.oldest = e.t
		}
		if e.t.After(l.newest) {
			l.newest = e.t
		}
	}
	g.b = append(g.b[:len(g.b)-1], "]}"...) // the last record's comma

	l.delivered = from.Add(interval + time.Duration(rng.IntN(4))*time.Minute)
	l.key = "AWSLogs/" + p.opts.OrgID + "/" + account + "/CloudTrail/" + g.region + "/" + l.delivered.Format("2006/01/02/") +
		fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", account, g.region, l.delivered.Format("20060102T1504Z"), g.hex(16))
	if p.opts.Digests {
		sum := sha256.Sum256(g.b)
		l.sha256 = hex.EncodeToString(sum[:])
	}
	l.raw = int64(len(g.b))
	var err error
	l.gz, err = p.writeGzip(l.key, g.b)
	return l, err
}

// writeGzip writes data compressed to key below the corpus directory and
// returns the size written.
func (p *plan) writeGzip(key string, data []byte) (int64, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	path := filepath.Join(p.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	return int64(buf.Len()), os.WriteFile(path, buf.Bytes(), 0o644)
}
