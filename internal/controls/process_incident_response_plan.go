package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:        "process.incident-response-plan",
	Title:     "An incident response plan exists and was exercised",
	Stage:     "F10",
	Kind:      catalog.Manual,
	Scope:     catalog.ScopeOrg,
	Unit:      catalog.PerOrg,
	Severity:  catalog.High,
	Rationale: "When an incident happens there is no time to decide who does what; a written, exercised plan limits the damage and the blast radius.",
	Steps:     "Write the incident response plan (roles, contacts, severity levels, containment steps per account type, communication).\nExercise it (game day or tabletop) and record the date.\nAttest: add process.incident-response-plan with the plan\"s link and the exercise date as evidence.",
})
