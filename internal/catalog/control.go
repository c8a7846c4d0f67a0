// Package catalog defines what a control is and holds the registry of them.
// Docs, audit, plan/apply and detections are all generated from the registry,
// so a control is written once, in one file under internal/controls.
package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"sync"
)

// Kind says how a control is satisfied.
type Kind string

const (
	Automated Kind = "automated" // checked, and set up by apply
	Detective Kind = "detective" // checked only
	Manual    Kind = "manual"    // attested by a person
)

// Scope is where a control applies.
type Scope string

const (
	ScopeOrg      Scope = "org"
	ScopeAccount  Scope = "account"
	ScopeRegion   Scope = "region"
	ScopeResource Scope = "resource"
)

// Unit is how often a check runs: once for the organization, once per
// account, or once per account and region. Resource-scoped controls run per
// account (global resources) or per region and report one finding per resource.
type Unit int

const (
	PerAccount Unit = iota
	PerOrg
	PerRegion
)

// Severity of a failing control.
type Severity string

const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// SeverityRank orders severities; higher is worse. Unknown is 0.
func SeverityRank(s Severity) int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// Control is one process of the baseline.
type Control struct {
	ID       string
	Title    string
	Stage    string // seed tier and stage: F3 = foundational stage 3, M2, C4
	Kind     Kind
	Scope    Scope
	Unit     Unit
	Severity Severity
	CIS      []string // CIS AWS Foundations Benchmark v7.0 ids
	// Rationale says why the control matters, in a sentence or two.
	Rationale string
	// Steps are the manual steps (console and CLI) to satisfy the control.
	Steps string
	// Reads are the "service:Operation" reads the check needs. When one of
	// them failed for the unit being checked, the check is not run and the
	// result is ERROR naming the operation. They are also the permissions the
	// audit role needs.
	Reads []string
	// Detections are ids of rules of the built-in pack related to the control.
	Detections []string
	// Knob names the baseline.yaml setting that tunes the control, if any.
	Knob string
	// Check evaluates the control for one unit. Nil for manual controls,
	// which are satisfied by attestations.
	Check func(e *Eval)
	// NotApplicable, when set, returns why the control does not apply to the
	// unit ("" when it does). It runs before the reads are checked, so a
	// control that does not apply is SKIP even where its reads failed.
	NotApplicable func(e *Eval) string
	// Hint, for manual controls, returns what the snapshot shows that helps
	// the person attesting (e.g. the opt-in regions enabled); "" for nothing.
	Hint func(e *Eval) string
	// Fix, for automated controls, plans and applies the desired state.
	Fix *Fix
}

// StageTier is "F", "M" or "C"; StageNumber is the stage within the tier.
func (c *Control) StageTier() string { return c.Stage[:1] }

// StageNumber is the number of the stage within its tier (3 for F3).
func (c *Control) StageNumber() int {
	n, _ := strconv.Atoi(c.Stage[1:])
	return n
}

var (
	mu       sync.RWMutex
	registry = map[string]*Control{}
	idRe     = regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9-]+)+$`)
	stageRe  = regexp.MustCompile(`^[FMC]([1-9]|10)$`)
)

// Register adds a control to the catalog. It panics on a duplicate id or an
// incomplete definition: both are programming errors caught by any test.
func Register(c *Control) *Control {
	if err := validate(c); err != nil {
		panic("catalog: " + err.Error())
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[c.ID]; dup {
		panic(fmt.Sprintf("catalog: control %q registered twice", c.ID))
	}
	registry[c.ID] = c
	return c
}

func validate(c *Control) error {
	switch {
	case !idRe.MatchString(c.ID):
		return fmt.Errorf("control id %q is not of the form area.name", c.ID)
	case c.Title == "":
		return fmt.Errorf("%s: no title", c.ID)
	case !stageRe.MatchString(c.Stage):
		return fmt.Errorf("%s: stage %q is not F1..F10, M1..M10 or C1..C10", c.ID, c.Stage)
	case c.Kind != Automated && c.Kind != Detective && c.Kind != Manual:
		return fmt.Errorf("%s: kind %q", c.ID, c.Kind)
	case c.Scope != ScopeOrg && c.Scope != ScopeAccount && c.Scope != ScopeRegion && c.Scope != ScopeResource:
		return fmt.Errorf("%s: scope %q", c.ID, c.Scope)
	case SeverityRank(c.Severity) == 0:
		return fmt.Errorf("%s: severity %q", c.ID, c.Severity)
	case c.Kind == Manual && c.Check != nil:
		return fmt.Errorf("%s: manual controls are attested, not checked", c.ID)
	case c.Kind != Manual && c.Hint != nil:
		return fmt.Errorf("%s: only manual controls have hints", c.ID)
	case c.Kind != Automated && c.Fix != nil:
		return fmt.Errorf("%s: only automated controls are fixed by apply", c.ID)
	case c.Fix != nil && (c.Fix.Plan == nil || len(c.Fix.Ops) == 0):
		return fmt.Errorf("%s: a fix needs a plan and at least one op", c.ID)
	case c.Kind != Manual && c.Check == nil:
		return fmt.Errorf("%s: %s control without a check", c.ID, c.Kind)
	case c.Rationale == "":
		return fmt.Errorf("%s: no rationale", c.ID)
	case c.Steps == "":
		return fmt.Errorf("%s: no manual steps", c.ID)
	case c.Scope == ScopeOrg && c.Unit != PerOrg:
		return fmt.Errorf("%s: org-scoped controls run PerOrg", c.ID)
	case c.Scope == ScopeRegion && c.Unit != PerRegion:
		return fmt.Errorf("%s: region-scoped controls run PerRegion", c.ID)
	}
	return nil
}

// Get returns the control with the given id.
func Get(id string) (*Control, bool) {
	mu.RLock()
	defer mu.RUnlock()
	c, ok := registry[id]
	return c, ok
}

// All returns every control, ordered by stage tier (F, M, C), stage number, then id.
func All() []*Control {
	mu.RLock()
	out := make([]*Control, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return Less(out[i], out[j]) })
	return out
}

var tierOrder = map[string]int{"F": 0, "M": 1, "C": 2}

// Less orders controls by tier, stage number and id.
func Less(a, b *Control) bool {
	if ta, tb := tierOrder[a.StageTier()], tierOrder[b.StageTier()]; ta != tb {
		return ta < tb
	}
	if na, nb := a.StageNumber(), b.StageNumber(); na != nb {
		return na < nb
	}
	return a.ID < b.ID
}
