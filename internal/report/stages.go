package report

import "github.com/secure-baseline/baseline/internal/catalog"

// stageTitle is "F3 · Foundational · See and respond", or a plain label for
// controls the catalog does not know.
func stageTitle(stage string) string {
	if stage == "" {
		return "Not in this catalog"
	}
	return catalog.StageTitle(stage)
}
