package audit

import (
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// MaxStage is the last stage of a tier.
const MaxStage = 10

// summarize counts findings and computes each account's maturity stage: the
// highest foundational stage N such that every control of stages F1..FN
// passes for the account. Organization-level findings count for every
// account; SKIP counts as passing, MANUAL and ERROR do not.
func summarize(snap *snapshot.Snapshot, controls []*catalog.Control, findings []catalog.Finding) Summary {
	s := Summary{Accounts: len(snap.Accounts), Maturity: map[string]int{}}
	stageOf := map[string]int{}
	for _, c := range controls {
		if c.StageTier() == "F" {
			stageOf[c.ID] = c.StageNumber()
		}
	}
	orgLevel := map[string]bool{}
	for _, c := range controls {
		if c.Unit == catalog.PerOrg {
			orgLevel[c.ID] = true
		}
	}
	// lowestBad[account] is the lowest F stage with a finding that does not pass.
	lowestBad := map[string]int{}
	orgBad := MaxStage + 1
	for _, f := range findings {
		switch f.Status {
		case catalog.StatusPass:
			s.Pass++
		case catalog.StatusFail:
			s.Fail++
		case catalog.StatusError:
			s.Error++
		case catalog.StatusManual:
			s.Manual++
		case catalog.StatusSkip:
			s.Skip++
		}
		st, ok := stageOf[f.ControlID]
		if !ok || f.Status == catalog.StatusPass || f.Status == catalog.StatusSkip {
			continue
		}
		if orgLevel[f.ControlID] {
			orgBad = min(orgBad, st)
			continue
		}
		if cur, ok := lowestBad[f.AccountID]; !ok || st < cur {
			lowestBad[f.AccountID] = st
		}
	}
	for _, a := range snap.Accounts {
		bad := orgBad
		if b, ok := lowestBad[a.AccountID]; ok {
			bad = min(bad, b)
		}
		s.Maturity[a.AccountID] = min(bad-1, MaxStage)
	}
	return s
}
