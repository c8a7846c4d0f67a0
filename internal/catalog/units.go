package catalog

import "github.com/secure-baseline/baseline/internal/snapshot"

// UnitOf is one unit of evaluation: the organization (Account nil), an account (Region
// ""), or an account in one region.
type UnitOf struct {
	Account *snapshot.Account
	Region  string
}

// Units lists the units control c runs on in snap, in a stable order. An
// unreachable account is one unit whatever c's granularity, so that it gives
// one ERROR rather than one per region.
func Units(c *Control, snap *snapshot.Snapshot) []UnitOf {
	switch c.Unit {
	case PerOrg:
		return []UnitOf{{}}
	case PerAccount:
		out := make([]UnitOf, 0, len(snap.Accounts))
		for _, a := range snap.Accounts {
			out = append(out, UnitOf{Account: a})
		}
		return out
	}
	var out []UnitOf
	for _, a := range snap.Accounts {
		if a.Unreachable != "" {
			out = append(out, UnitOf{Account: a})
			continue
		}
		for _, r := range SortedKeys(a.Regions) {
			out = append(out, UnitOf{Account: a, Region: r})
		}
	}
	return out
}

// ReadsFailed returns, for each of c's reads that failed on the unit, the
// reason a person can act on.
func ReadsFailed(e *Eval) []string {
	var failed []string
	for _, read := range e.Control.Reads {
		if err := e.Failed(read); err != nil {
			failed = append(failed, DescribeReadError(err))
		}
	}
	return failed
}
