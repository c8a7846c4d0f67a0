package controls

import (
	"regexp"
	"slices"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "cloudtrail.s3-data-events",
	Title:    "S3 object-level read and write events are logged for every bucket",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	CIS:      []string{"4.8", "4.9"},
	Rationale: "Management events do not show who read or overwrote an object. Object-level data events answer " +
		"\"what did the leaked key download?\" and reveal ransomware-style mass rewrites and deletes.",
	Steps: "Console: CloudTrail > Trails > <multi-region trail> > Data events > Edit > Data event type S3, " +
		"Log selector template 'Log all events'.\n" +
		"CLI: aws cloudtrail put-event-selectors --trail-name <trail> --advanced-event-selectors " +
		"'[{\"Name\":\"S3 objects\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]}," +
		"{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]}]}]'",
	Reads: []string{"cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors"},
	Check: func(e *catalog.Eval) {
		trails, ok := coveringTrails(e)
		if !ok {
			return
		}
		var readBy, writeBy, unknown string
		for _, tr := range trails {
			if !tr.MultiRegion {
				continue
			}
			label := trailLabel(e, &tr)
			if !tr.SelectorsRead {
				unknown = selectorsUnknown(e, &tr, label)
				continue
			}
			r, w := s3DataEvents(tr.Selectors)
			if r && readBy == "" {
				readBy = label
			}
			if w && writeBy == "" {
				writeBy = label
			}
		}
		switch {
		case readBy != "" && readBy == writeBy:
			e.Pass("", "%s logs S3 object-level reads and writes of every bucket", readBy)
		case readBy != "" && writeBy != "":
			e.Pass("", "%s logs S3 object-level reads and %s writes, of every bucket", readBy, writeBy)
		case unknown != "":
			e.Errorf("", "%s", unknown)
		case readBy != "":
			e.Fail("", "no multi-region trail logs S3 object-level write events for every bucket (reads are logged by %s)", readBy)
		case writeBy != "":
			e.Fail("", "no multi-region trail logs S3 object-level read events for every bucket (writes are logged by %s)", writeBy)
		default:
			e.Fail("", "no multi-region trail logs S3 object-level read or write events for every bucket")
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			planTrailOfRecord(p, func(tr *snapshot.Trail) {
				p.At(tr.OwnerAccountID, tr.HomeRegion).Update("event-selectors", tr.Arn, trailSelectors{Name: tr.Name, Selectors: tr.Selectors},
					trailSelectors{Name: tr.Name, Selectors: withS3DataEvents(tr.Selectors, partitionOf(tr.HomeRegion))})
			})
		},
		Ops: trailOps,
	},
})

// selectorsUnknown says why a trail's event selectors are not known.
func selectorsUnknown(e *catalog.Eval, tr *snapshot.Trail, label string) string {
	if err := e.FailedOn("cloudtrail:GetEventSelectors", tr.Arn); err != nil {
		return "the event selectors of " + label + " could not be read: " + catalog.DescribeReadError(err)
	}
	return "the event selectors of " + label + " could not be read from this account; assess account " + tr.OwnerAccountID + " too"
}

// allBuckets matches the ARN prefixes that select every bucket: arn:aws:s3
// and arn:aws:s3::: (in any partition).
var allBuckets = regexp.MustCompile(`^arn:[a-z-]+:s3(:::)?$`)

// s3DataEvents tells whether the selectors log object-level reads and writes
// of every bucket. Selectors narrowed by any other condition (some buckets,
// some event names, some principals) do not count.
func s3DataEvents(sels []snapshot.EventSelector) (read, write bool) {
	for _, s := range sels {
		r, w := false, false
		if len(s.Fields) > 0 {
			r, w = advancedS3(s.Fields)
		} else {
			for _, d := range s.DataResources {
				if d.Type == "AWS::S3::Object" && slices.ContainsFunc(d.Values, allBuckets.MatchString) {
					r, w = s.ReadWrite != "WriteOnly", s.ReadWrite != "ReadOnly"
				}
			}
		}
		read, write = read || r, write || w
	}
	return read, write
}

func advancedS3(fields []snapshot.FieldSelector) (read, write bool) {
	data, objects := false, false
	read, write = true, true
	for _, f := range fields {
		switch f.Field {
		case "eventCategory":
			data = equalsOnly(f, "Data")
		case "resources.type":
			objects = equalsOnly(f, "AWS::S3::Object")
		case "eventSource":
			if !equalsOnly(f, "s3.amazonaws.com") {
				return false, false
			}
		case "readOnly":
			switch {
			case equalsOnly(f, "true"):
				write = false
			case equalsOnly(f, "false"):
				read = false
			default:
				return false, false
			}
		case "resources.ARN":
			if len(f.StartsWith) == 0 || !allOf(f.StartsWith, allBuckets.MatchString) || conditions(f) != len(f.StartsWith) {
				return false, false
			}
		default:
			return false, false
		}
	}
	if !data || !objects {
		return false, false
	}
	return read, write
}

// equalsOnly reports whether the field selector is exactly Equals [v].
func equalsOnly(f snapshot.FieldSelector, v string) bool {
	return len(f.Equals) == 1 && f.Equals[0] == v && conditions(f) == 1
}

// conditions counts the values a field selector tests.
func conditions(f snapshot.FieldSelector) int {
	return len(f.Equals) + len(f.NotEquals) + len(f.StartsWith) + len(f.NotStartsWith) + len(f.EndsWith) + len(f.NotEndsWith)
}

func allOf(vs []string, ok func(string) bool) bool {
	for _, v := range vs {
		if !ok(v) {
			return false
		}
	}
	return true
}
