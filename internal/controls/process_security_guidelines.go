package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:        "process.security-guidelines",
	Title:     "Security guidelines are documented",
	Stage:     "F4",
	Kind:      catalog.Manual,
	Scope:     catalog.ScopeOrg,
	Unit:      catalog.PerOrg,
	Severity:  catalog.Medium,
	Rationale: "Engineers follow what is written down and easy to find; undocumented rules become tribal knowledge held by one person.",
	Steps:     "Write the organization\"s security guidelines (access, secrets, logging, incident contacts, account usage) in the\nengineering handbook; `baseline docs -o handbook/` generates the baseline part.\nAttest: add an entry for process.security-guidelines to the attestation file with a link to the document.",
})
