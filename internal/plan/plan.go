// Package plan computes what apply would change: for every enabled automated
// control and every unit it covers, the difference between the state in a
// snapshot and the desired state of the catalog and baseline.yaml. It calls
// no AWS API; the snapshot is collected by the caller.
package plan

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"time"

	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/collect"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// FormatVersion is bumped on incompatible changes of the saved plan file.
const FormatVersion = 1

// Options choose what a plan covers.
type Options struct {
	Settings *catalog.Settings
	// Disabled control ids are left out (config `enabled: false`).
	Disabled map[string]bool
	// Targets limits the plan to these control ids (--target); nil means all.
	Targets []string
	// Accounts limits changes to these account ids; Exclude removes some.
	Accounts []string
	Exclude  []string
	Now      time.Time
}

// Plan is the contract of `plan --format json` and of saved plan files.
type Plan struct {
	Version        int               `json:"version"`
	CreatedAt      time.Time         `json:"created_at"`
	ObservedAt     time.Time         `json:"observed_at"`
	OrganizationID string            `json:"organization_id"`
	Scope          Scope             `json:"scope"`
	Changes        []catalog.Change  `json:"changes"`
	Blocked        []catalog.Blocked `json:"blocked"`
	Manual         []Manual          `json:"manual"`
}

// Scope is what the plan looked at, so apply can observe the same again.
type Scope struct {
	Accounts []string `json:"accounts"`
	Exclude  []string `json:"exclude_accounts,omitempty"`
	Regions  []string `json:"regions"`
	Controls []string `json:"controls"`
}

// Manual is a process apply cannot do: the steps a person still owes.
type Manual struct {
	ControlID string `json:"control_id"`
	Title     string `json:"title"`
	Stage     string `json:"stage"`
	Steps     string `json:"steps"`
}

// Controls returns the automated controls a plan with these options covers.
func Controls(opts Options) ([]*catalog.Control, error) {
	want := map[string]bool{}
	for _, id := range opts.Targets {
		c, ok := catalog.Get(id)
		switch {
		case !ok:
			return nil, fmt.Errorf("unknown control %q", id)
		case c.Kind != catalog.Automated:
			return nil, fmt.Errorf("control %s is %s: apply only sets up automated controls", id, c.Kind)
		}
		want[id] = true
	}
	var out []*catalog.Control
	for _, c := range catalog.All() {
		if c.Fix == nil || opts.Disabled[c.ID] || (len(want) > 0 && !want[c.ID]) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// Services returns the collectors a plan of these controls needs: the reads
// of their checks, which are also what their fixes look at.
func Services(controls []*catalog.Control) []string {
	var reads []string
	for _, c := range controls {
		reads = append(reads, c.Reads...)
	}
	return collect.ServicesFor(reads)
}

// Build plans every control of opts over snap.
func Build(snap *snapshot.Snapshot, opts Options) (*Plan, error) {
	settings := opts.Settings
	if settings == nil {
		settings = catalog.Defaults()
	}
	controls, err := Controls(opts)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	p := &Plan{Version: FormatVersion, CreatedAt: now, ObservedAt: snap.CollectedAt, Changes: []catalog.Change{},
		Blocked: []catalog.Blocked{}, Manual: []Manual{}}
	if snap.Organization != nil {
		p.OrganizationID = snap.Organization.ID
	}
	p.Scope = Scope{Regions: snap.Regions, Exclude: opts.Exclude}
	for _, a := range snap.Accounts {
		if inScope(a.AccountID, opts) {
			p.Scope.Accounts = append(p.Scope.Accounts, a.AccountID)
		}
	}
	enabled := map[string]bool{}
	for _, c := range controls {
		enabled[c.ID] = true
		p.Scope.Controls = append(p.Scope.Controls, c.ID)
	}
	isEnabled := func(id string) bool { return enabled[id] }
	errs := catalog.IndexErrors(snap)
	for _, c := range controls {
		for _, u := range catalog.Units(c, snap) {
			changes, blocked := unit(c, snap, settings, errs, u, isEnabled)
			for _, ch := range changes {
				if inScope(ch.AccountID, opts) {
					p.Changes = append(p.Changes, ch)
				}
			}
			for _, b := range blocked {
				if inScope(b.AccountID, opts) {
					p.Blocked = append(p.Blocked, b)
				}
			}
		}
	}
	for _, c := range catalog.All() {
		if c.Kind == catalog.Manual && !opts.Disabled[c.ID] && len(opts.Targets) == 0 {
			p.Manual = append(p.Manual, Manual{ControlID: c.ID, Title: c.Title, Stage: c.Stage, Steps: c.Steps})
		}
	}
	if err := checkUnique(p.Changes); err != nil {
		return nil, err
	}
	return p, nil
}

// unit plans control c on one unit. A unit whose reads failed cannot be
// planned: it is blocked with the reason, never guessed at.
func unit(c *catalog.Control, snap *snapshot.Snapshot, settings *catalog.Settings, errs catalog.ErrorIndex, u catalog.UnitOf,
	enabled func(string) bool) (changes []catalog.Change, blocked []catalog.Blocked) {
	e := catalog.NewEval(c, snap, settings, errs, u.Account, u.Region)
	p := catalog.NewPlanner(e, enabled)
	switch {
	case u.Account != nil && u.Account.Unreachable != "":
		p.Here().Block("", "account could not be read: %s", u.Account.Unreachable)
	case c.NotApplicable != nil && c.NotApplicable(e) != "":
		return nil, nil
	default:
		if failed := catalog.ReadsFailed(e); len(failed) > 0 {
			for _, f := range failed {
				p.Here().Block("", "cannot plan: %s", f)
			}
			break
		}
		c.Fix.Plan(p)
		// A fix that found its data missing said so the way checks do.
		for _, f := range e.Findings() {
			if f.Status == catalog.StatusError {
				p.At(f.AccountID, f.Region).Block(f.Resource, "cannot plan: %s", f.Reason)
			}
		}
	}
	return p.Changes(), p.BlockedItems()
}

func inScope(account string, opts Options) bool {
	for _, x := range opts.Exclude {
		if x == account {
			return false
		}
	}
	if len(opts.Accounts) == 0 {
		return true
	}
	for _, x := range opts.Accounts {
		if x == account {
			return true
		}
	}
	return false
}

// checkUnique rejects two changes with one id: two controls would race on
// the same write.
func checkUnique(changes []catalog.Change) error {
	seen := map[string]bool{}
	for _, c := range changes {
		if seen[c.ID] {
			return fmt.Errorf("plan: change %s planned twice", c.ID)
		}
		seen[c.ID] = true
	}
	return nil
}

// Empty reports whether applying the plan would change nothing.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// Counts returns the number of creates, updates and deletes.
func (p *Plan) Counts() (create, update, del int) {
	for _, c := range p.Changes {
		switch c.Action {
		case catalog.Create:
			create++
		case catalog.Update:
			update++
		case catalog.Delete:
			del++
		}
	}
	return
}

// WriteFile saves the plan as JSON for a later `apply PLANFILE`.
func (p *Plan) WriteFile(path string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// ReadFile reads a plan saved by WriteFile.
func ReadFile(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: not a plan file: %w", path, err)
	}
	if p.Version != FormatVersion {
		return nil, fmt.Errorf("%s: plan format %d, this baseline reads %d: plan again", path, p.Version, FormatVersion)
	}
	for _, c := range p.Changes {
		ctl, ok := catalog.Get(c.ControlID)
		if !ok || ctl.Fix == nil || ctl.Fix.Ops[c.Op] == nil {
			return nil, fmt.Errorf("%s: change %s names op %q of control %q, which this baseline does not have", path, c.ID, c.Op, c.ControlID)
		}
	}
	return &p, nil
}

// Stale compares a saved plan with one computed now from the live state and
// returns what differs; nothing means the saved plan still describes what
// apply would do.
func Stale(saved, live *Plan) []string {
	key := func(c catalog.Change) string {
		b, _ := json.Marshal(struct {
			A      catalog.Action
			Before any
			After  any
		}{c.Action, c.Before, c.After})
		// Round-trip so typed values and decoded JSON compare alike.
		var v any
		_ = json.Unmarshal(b, &v)
		b, _ = json.Marshal(v)
		return string(b)
	}
	index := func(cs []catalog.Change) map[string]string {
		m := make(map[string]string, len(cs))
		for _, c := range cs {
			m[c.ID] = key(c)
		}
		return m
	}
	a, b := index(saved.Changes), index(live.Changes)
	var diffs []string
	for _, id := range catalog.SortedKeys(a) {
		switch lv, ok := b[id]; {
		case !ok:
			diffs = append(diffs, "no longer needed: "+id)
		case !bytes.Equal([]byte(lv), []byte(a[id])):
			diffs = append(diffs, "changed since planned: "+id)
		}
	}
	for _, id := range catalog.SortedKeys(b) {
		if _, ok := a[id]; !ok {
			diffs = append(diffs, "new since planned: "+id)
		}
	}
	sort.Strings(diffs)
	return diffs
}
