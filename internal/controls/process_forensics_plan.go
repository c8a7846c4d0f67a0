package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:        "process.forensics-plan",
	Title:     "A forensic data collection plan exists",
	Stage:     "M10",
	Kind:      catalog.Manual,
	Scope:     catalog.ScopeOrg,
	Unit:      catalog.PerOrg,
	Severity:  catalog.Medium,
	Rationale: "Evidence (memory, disks, logs) is lost quickly after an incident; knowing in advance how to capture it keeps it usable.",
	Steps:     "Document how to isolate an instance, snapshot its volumes, capture memory, and preserve CloudTrail, VPC flow and DNS logs\nin the log-archive account; prepare a forensic account and roles.\nAttest: add process.forensics-plan with the document\"s link.",
})
