package catalog

// The tiers and stages of the maturity roadmap (seed 002), as the audit
// report and the handbook name them.
var (
	tierNames = map[string]string{"F": "Foundational", "M": "Moderate", "C": "Complex"}

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

// Tiers are the roadmap's tiers, in order: foundational, moderate, complex.
var Tiers = []string{"F", "M", "C"}

// TierName is "Foundational" for "F", "" for an unknown tier.
func TierName(tier string) string { return tierNames[tier] }

// StageName is "See and respond" for "F3", "" for a stage the roadmap does
// not name.
func StageName(stage string) string { return stageNames[stage] }

// StageTitle is "F3 · Foundational · See and respond", leaving out what is
// unknown.
func StageTitle(stage string) string {
	if stage == "" {
		return ""
	}
	title := stage
	if t := TierName(stage[:1]); t != "" {
		title += " · " + t
	}
	if n := StageName(stage); n != "" {
		title += " · " + n
	}
	return title
}
