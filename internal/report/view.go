package report

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// view is the input prepared once for every format: accounts with their
// names and stages, the catalog entry of every control, and (for the
// formats that group) findings by stage and control.
type view struct {
	Input
	Accounts []*accountView
	byID     map[string]*accountView
	controls map[string]*catalog.Control
	stages   []*stageGroup // built on first use by groups()
}

// accountView is one account as the reports show it.
type accountView struct {
	ID, Name, Category, OUPath string
	// Stage is the maturity stage; Rated is false for an account that only
	// appears in findings (an organization-level finding on a management
	// account that was not assessed).
	Stage int
	Rated bool
	// Blockers are the controls of the next foundational stage that do not
	// pass for the account: what to fix to move up.
	Blockers []string
	Counts   counts
}

// Label is "name (id)", or the id when the account has no name.
func (a *accountView) Label() string {
	if a.Name == "" {
		return a.ID
	}
	return a.Name + " (" + a.ID + ")"
}

// Short is the name, or the id when the account has no name.
func (a *accountView) Short() string {
	if a.Name == "" {
		return a.ID
	}
	return a.Name
}

// StageLabel is the maturity stage as "F3", or "n/a" when not rated.
func (a *accountView) StageLabel() string {
	if !a.Rated {
		return "n/a"
	}
	return stageLabel(a.Stage)
}

func stageLabel(n int) string { return fmt.Sprintf("F%d", n) }

// stageGroup is the controls of one stage (F1..F10, M1..M10, C1..C10).
type stageGroup struct {
	Stage    string
	Controls []*controlView
}

// controlView is one control with its findings.
type controlView struct {
	*catalog.Control
	Findings []*catalog.Finding
	Counts   counts
}

// Problems are the findings someone has to act on: FAIL, ERROR, MANUAL.
func (c *controlView) Problems() []*catalog.Finding {
	var out []*catalog.Finding
	for _, f := range c.Findings {
		if isProblem(f.Status) {
			out = append(out, f)
		}
	}
	return out
}

func isProblem(s catalog.Status) bool {
	return s == catalog.StatusFail || s == catalog.StatusError || s == catalog.StatusManual
}

// counts tallies findings by status.
type counts struct{ Pass, Fail, Error, Manual, Skip int }

func (c *counts) add(s catalog.Status) {
	switch s {
	case catalog.StatusPass:
		c.Pass++
	case catalog.StatusFail:
		c.Fail++
	case catalog.StatusError:
		c.Error++
	case catalog.StatusManual:
		c.Manual++
	case catalog.StatusSkip:
		c.Skip++
	}
}

// Total is the number of findings counted.
func (c counts) Total() int { return c.Pass + c.Fail + c.Error + c.Manual + c.Skip }

// statusCount is the number of findings of one status.
type statusCount struct {
	Status catalog.Status
	N      int
}

// ByStatus lists the statuses counted, most pressing first: FAIL, ERROR,
// MANUAL, PASS, SKIP.
func (c counts) ByStatus() []statusCount {
	var out []statusCount
	for _, sc := range []statusCount{
		{catalog.StatusFail, c.Fail}, {catalog.StatusError, c.Error}, {catalog.StatusManual, c.Manual},
		{catalog.StatusPass, c.Pass}, {catalog.StatusSkip, c.Skip},
	} {
		if sc.N > 0 {
			out = append(out, sc)
		}
	}
	return out
}

// Worst is the most pressing status counted, "" when none.
func (c counts) Worst() catalog.Status {
	if bs := c.ByStatus(); len(bs) > 0 {
		return bs[0].Status
	}
	return ""
}

func newView(in Input) *view {
	if in.Snapshot == nil {
		in.Snapshot = &snapshot.Snapshot{}
	}
	v := &view{Input: in, byID: map[string]*accountView{}, controls: map[string]*catalog.Control{}}
	for _, a := range in.Snapshot.Accounts {
		av := &accountView{ID: a.AccountID, Name: a.Name, Category: a.Category, OUPath: a.OUPath}
		v.byID[av.ID] = av
		v.Accounts = append(v.Accounts, av)
	}
	// Accounts seen only in findings come after the snapshot's, by id.
	var extra []*accountView
	for i := range in.Result.Findings {
		f := &in.Result.Findings[i]
		a, ok := v.byID[f.AccountID]
		if !ok {
			a = &accountView{ID: f.AccountID}
			v.byID[a.ID] = a
			extra = append(extra, a)
		}
		a.Counts.add(f.Status)
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].ID < extra[j].ID })
	v.Accounts = append(v.Accounts, extra...)
	for id, n := range in.Result.Summary.Maturity {
		if a, ok := v.byID[id]; ok {
			a.Stage, a.Rated = n, true
		}
	}
	v.findBlockers()
	return v
}

// account returns the account of a finding; every finding's account has one.
func (v *view) account(f *catalog.Finding) *accountView { return v.byID[f.AccountID] }

// control returns the catalog entry of id, or a stand-in naming it when the
// catalog does not know it (a report of an older or newer catalog).
func (v *view) control(id string, sev catalog.Severity) *catalog.Control {
	if c, ok := v.controls[id]; ok {
		return c
	}
	c, ok := catalog.Get(id)
	if !ok {
		c = &catalog.Control{ID: id, Title: id, Severity: sev}
	}
	v.controls[id] = c
	return c
}

// findBlockers lists, for every rated account below the top, the controls of
// the next foundational stage that do not pass for it. Organization-level
// controls hold back every account.
func (v *view) findBlockers() {
	block := func(a *accountView, c *catalog.Control) {
		if a.Rated && c.Stage == stageLabel(a.Stage+1) && !slices.Contains(a.Blockers, c.ID) {
			a.Blockers = append(a.Blockers, c.ID)
		}
	}
	for i := range v.Result.Findings {
		f := &v.Result.Findings[i]
		if !isProblem(f.Status) {
			continue
		}
		c := v.control(f.ControlID, f.Severity)
		if c.Unit != catalog.PerOrg {
			block(v.byID[f.AccountID], c)
			continue
		}
		for _, a := range v.Accounts {
			block(a, c)
		}
	}
}

// groups returns the findings by stage (F, M, C, then controls the catalog
// does not know), and by control in catalog order within a stage.
func (v *view) groups() []*stageGroup {
	if v.stages != nil {
		return v.stages
	}
	byControl := map[string]*controlView{}
	var all []*controlView
	for i := range v.Result.Findings {
		f := &v.Result.Findings[i]
		cv, ok := byControl[f.ControlID]
		if !ok {
			cv = &controlView{Control: v.control(f.ControlID, f.Severity)}
			byControl[f.ControlID] = cv
			all = append(all, cv)
		}
		cv.Findings = append(cv.Findings, f)
		cv.Counts.add(f.Status)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if ra, rb := stageRank(a.Stage), stageRank(b.Stage); ra != rb {
			return ra < rb
		}
		return a.ID < b.ID
	})
	for _, cv := range all {
		if n := len(v.stages); n == 0 || v.stages[n-1].Stage != cv.Stage {
			v.stages = append(v.stages, &stageGroup{Stage: cv.Stage})
		}
		g := v.stages[len(v.stages)-1]
		g.Controls = append(g.Controls, cv)
	}
	return v.stages
}

// observed is when the state was seen: the collection time, else Now.
func (v *view) observed() time.Time {
	if t := v.Snapshot.CollectedAt; !t.IsZero() {
		return t.UTC()
	}
	return v.Now.UTC()
}

// orgID is the organization id, or "".
func (v *view) orgID() string {
	if v.Snapshot.Organization == nil {
		return ""
	}
	return v.Snapshot.Organization.ID
}

// version is the tool's version, "dev" when not set.
func (v *view) version() string {
	if v.ToolVersion == "" {
		return "dev"
	}
	return v.ToolVersion
}

// tiers orders stage tiers; stages outside them sort last.
const tiers = "FMC"

// stageRank orders F1..F10, M1..M10, C1..C10, then anything else.
func stageRank(stage string) int {
	if stage == "" {
		return 1 << 20
	}
	t := strings.IndexByte(tiers, stage[0])
	n, _ := strconv.Atoi(stage[1:])
	if t < 0 {
		t = len(tiers)
	}
	return t*100 + n
}
