package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "config.recorder",
	Title:    "AWS Config records all resource types in every enabled region",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"4.3"},
	Rationale: "Config keeps the configuration history of every resource: what a security group allowed last Tuesday, " +
		"who changed it, what else changed with it. A region without a recorder is a region where changes leave no " +
		"history; an organization-level service cannot record on a region's behalf.",
	Steps: "Console: AWS Config > Settings > Edit > Recording strategy: All resource types with customizable overrides, " +
		"delivery to the log-archive bucket; repeat in every enabled region.\n" +
		"CLI (per region): aws configservice put-configuration-recorder --configuration-recorder " +
		"name=default,roleARN=<AWSServiceRoleForConfig-arn> --recording-group allSupported=true,includeGlobalResourceTypes=true\n" +
		"     aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<log-archive-bucket>\n" +
		"     aws configservice start-configuration-recorder --configuration-recorder-name default",
	Reads: []string{"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus", "config:DescribeDeliveryChannels"},
	Check: func(e *catalog.Eval) {
		c := e.R.Config
		if c == nil {
			e.NotCollected("config")
			return
		}
		var problems, linked []string
		for _, r := range c.Recorders {
			// Service-linked recorders record only what their service needs.
			if r.ServicePrincipal != "" {
				linked = append(linked, r.Name)
				continue
			}
			gaps := recorderGaps(r, len(c.DeliveryChannels) > 0)
			if len(gaps) == 0 {
				global := "global resource types included"
				if !r.IncludeGlobal {
					global = "global resource types are recorded elsewhere or not at all"
				}
				e.Pass("", "recorder %s records all supported resource types (%s)", r.Name, global)
				return
			}
			problems = append(problems, fmt.Sprintf("recorder %s %s", r.Name, strings.Join(gaps, ", ")))
		}
		switch {
		case len(problems) > 0:
		case len(linked) > 0:
			problems = append(problems, fmt.Sprintf("only service-linked recorders (%s), which record what their service needs: add a recorder of all resource types", listOf(linked)))
		default:
			problems = append(problems, "no configuration recorder in "+e.Region)
		}
		e.Fail("", "%s", strings.Join(problems, "; "))
	},
})

// recorderGaps lists what keeps a recorder from recording everything.
func recorderGaps(r snapshot.ConfigRecorder, delivers bool) []string {
	var gaps []string
	switch {
	case r.AllSupported || r.RecordingStrategy == "ALL_SUPPORTED_RESOURCE_TYPES":
	case r.RecordingStrategy == "EXCLUSION_BY_RESOURCE_TYPES":
		gaps = append(gaps, fmt.Sprintf("excludes %d resource types (%s)", len(r.ResourceTypes), listOf(r.ResourceTypes)))
	default:
		gaps = append(gaps, fmt.Sprintf("records only %d selected resource types", len(r.ResourceTypes)))
	}
	if !r.Recording {
		gaps = append(gaps, "is not recording")
	}
	if strings.EqualFold(r.LastStatus, "Failure") {
		gaps = append(gaps, "failed its last recording")
	}
	if !delivers {
		gaps = append(gaps, "has no delivery channel")
	}
	return gaps
}
