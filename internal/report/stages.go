package report

// Stage names from the maturity roadmap (seed 002). They belong with the
// catalog once the handbook needs them too.
var (
	tierNames = map[byte]string{'F': "Foundational", 'M': "Moderate", 'C': "Complex"}

	stageNames = map[string]string{
		"F1": "Know your territory", "F2": "Back it up", "F3": "See and respond",
		"F4": "Early warning system", "F5": "Lock down access", "F6": "Shrink the target",
		"F7": "Repeatability and accountability", "F8": "Advanced detection",
		"F9": "Secure the pipes", "F10": "Be prepared",

		"M1": "Continuous compliance", "M2": "Resilience and recovery", "M3": "Proactive monitoring",
		"M4": "Security information management", "M5": "IAM refinement", "M6": "Proactive defense",
		"M7": "Automation and control", "M8": "Real-time security", "M9": "Advanced networking",
		"M10": "Practice makes perfect",

		"C1": "Visibility deep dive", "C2": "Advanced threat hunting", "C3": "Surgical IAM",
		"C4": "Fortress mode", "C5": "Infrastructure as code excellence", "C6": "Continuous improvement",
		"C7": "Network segmentation and control", "C8": "Ready for anything",
	}
)

// stageTitle is "F3 · Foundational · See and respond", or a plain label for
// controls the catalog does not know.
func stageTitle(stage string) string {
	if stage == "" {
		return "Not in this catalog"
	}
	title := stage
	if t, ok := tierNames[stage[0]]; ok {
		title += " · " + t
	}
	if n, ok := stageNames[stage]; ok {
		title += " · " + n
	}
	return title
}
