package catalog

import "github.com/secure-baseline/baseline/internal/snapshot"

// ErrorIndex finds the failed reads of a snapshot by operation.
type ErrorIndex map[string][]*snapshot.Error

// IndexErrors builds the index once per audit.
func IndexErrors(snap *snapshot.Snapshot) ErrorIndex {
	idx := ErrorIndex{}
	for i := range snap.Errors {
		e := &snap.Errors[i]
		k := e.Service + ":" + e.Operation
		idx[k] = append(idx[k], e)
	}
	return idx
}

// Find returns the first failed read of op ("service:Operation") relevant to
// the unit: for a region, errors of that region or of the account's global
// reads; for an account, errors in any of its regions; for the organization,
// errors anywhere. resource "" matches only whole-listing failures.
func (idx ErrorIndex) Find(account, region, op, resource string, unit Unit) *snapshot.Error {
	for _, e := range idx[op] {
		if e.Resource != resource {
			continue
		}
		if unit != PerOrg && e.AccountID != account {
			continue
		}
		if unit == PerRegion && e.Region != region && e.Region != "" {
			continue
		}
		return e
	}
	return nil
}
