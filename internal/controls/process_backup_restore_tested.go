package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:        "process.backup-restore-tested",
	Title:     "Restores were tested within the last 90 days",
	Stage:     "M2",
	Kind:      catalog.Manual,
	Scope:     catalog.ScopeOrg,
	Unit:      catalog.PerOrg,
	Severity:  catalog.High,
	Rationale: "A backup that has never been restored is a hope, not a backup; restore tests prove the RTO and RPO are met.",
	Steps:     "Restore a recent backup of each critical data store into an isolated account, verify the data, and record the time taken.\nAttest: add process.backup-restore-tested with the test report as evidence and expires 90 days after the test.",
})
