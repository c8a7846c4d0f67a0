package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:        "process.tabletop-exercises",
	Title:     "An incident tabletop exercise was held in the last 12 months",
	Stage:     "M10",
	Kind:      catalog.Manual,
	Scope:     catalog.ScopeOrg,
	Unit:      catalog.PerOrg,
	Severity:  catalog.Medium,
	Rationale: "Plans that are never rehearsed fail on first contact; tabletop exercises reveal missing access, contacts and runbooks.",
	Steps:     "Run a tabletop exercise on a realistic scenario (leaked access key, public bucket, ransomware) with engineering and leadership.\nAttest: add process.tabletop-exercises with the date and notes as evidence; set expires one year after the exercise.",
})
