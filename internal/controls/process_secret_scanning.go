package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:        "process.secret-scanning",
	Title:     "Repositories scan for secrets before commit",
	Stage:     "F5",
	Kind:      catalog.Manual,
	Scope:     catalog.ScopeOrg,
	Unit:      catalog.PerOrg,
	Severity:  catalog.High,
	Rationale: "Access keys committed to a repository are found by attackers within minutes; catching them before the commit is the cheapest defence.",
	Steps:     "Install a pre-commit secret scanner (gitleaks, trufflehog, git-secrets) in every repository and in CI.\nAttest: add process.secret-scanning with the CI job or hook configuration as evidence.",
})
