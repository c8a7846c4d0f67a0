package controls

import "github.com/secure-baseline/baseline/internal/catalog"

var _ = catalog.Register(&catalog.Control{
	ID:        "process.infrastructure-as-code",
	Title:     "Infrastructure changes go through version-controlled code and review",
	Stage:     "C5",
	Kind:      catalog.Manual,
	Scope:     catalog.ScopeOrg,
	Unit:      catalog.PerOrg,
	Severity:  catalog.Medium,
	Rationale: "Changes made by hand cannot be reviewed, reproduced or rolled back, and they drift from the documented baseline.",
	Steps:     "Manage infrastructure with Terraform, CloudFormation or CDK from a repository with mandatory review and CI/CD deployment;\nrestrict console write access in production through SCPs or permission sets.\nAttest: add process.infrastructure-as-code with the repository and pipeline as evidence.",
})
