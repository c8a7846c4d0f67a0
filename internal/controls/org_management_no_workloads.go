package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// workloadReads are the reads behind the workload inventory of the
// management account. They are checked for that account only, so they are
// not in Reads (which, for an organization-wide control, match any account).
var workloadReads = []string{"ec2:DescribeInstances", "lambda:ListFunctions", "rds:DescribeDBInstances", "ecs:ListClusters", "ecs:ListServices"}

var _ = catalog.Register(&catalog.Control{
	ID:       "org.management-no-workloads",
	Title:    "The management account runs no workloads",
	Stage:    "F1",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.High,
	CIS:      []string{"2.1.3"},
	Rationale: "SCPs do not apply to the management account, and whoever controls it controls every account. " +
		"Workloads there widen who needs access to it and what an attacker can reach from a compromised application.",
	Steps: "Move EC2 instances, Lambda functions, RDS databases and ECS services out of the management account into " +
		"member accounts (redeploy them there), then delete them from the management account.\n" +
		"Console: EC2 > Instances, Lambda > Functions, RDS > Databases, ECS > Clusters, in every region of the management account.\n" +
		"CLI: aws ec2 describe-instances --filters Name=instance-state-name,Values=running,pending --region <r>\n" +
		"     aws lambda list-functions --region <r>; aws rds describe-db-instances --region <r>; aws ecs list-clusters --region <r>",
	Reads: []string{"organizations:DescribeOrganization"},
	Check: func(e *catalog.Eval) {
		o := orgOf(e)
		if o == nil {
			return
		}
		m := e.Management()
		switch {
		case m == nil:
			e.Errorf("", "the management account %s was not assessed: audit with --org or include it in --accounts", o.ManagementAccountID)
			return
		case m.Unreachable != "":
			e.Errorf("", "the management account %s could not be assessed: %s", m.AccountID, m.Unreachable)
			return
		}
		var found, missing []string
		for _, r := range sortedKeys(m.Regions) {
			w, gaps := workloadsIn(m.Regions[r])
			if len(w) > 0 {
				found = append(found, r+": "+strings.Join(w, ", "))
			}
			if len(gaps) > 0 {
				missing = append(missing, fmt.Sprintf("%s (%s)", r, strings.Join(gaps, ", ")))
			}
		}
		unread := readErrorsOf(e.Snap, m.AccountID, workloadReads...)
		switch {
		case len(found) > 0:
			e.Fail("", "the management account runs workloads: %s; move them to member accounts", strings.Join(found, "; "))
		case len(missing) > 0:
			e.Errorf("", "workloads not collected for the management account in %s", listOf(missing))
		case len(unread) > 0:
			e.Errorf("", "the management account shows no workload, but %s", listOf(unread))
		default:
			e.Pass("", "no EC2 instance, Lambda function, RDS instance or ECS service in the management account's %d regions", len(m.Regions))
		}
	},
})

// workloadsIn describes the workloads of one region ("2 EC2 instances
// (i-1, i-2)") and names the services whose data is missing.
func workloadsIn(r *snapshot.Region) (found, missing []string) {
	if r.EC2 == nil {
		missing = append(missing, "ec2")
	} else {
		var running []string
		for _, i := range r.EC2.Instances {
			if i.State == "running" || i.State == "pending" {
				running = append(running, i.ID)
			}
		}
		found = appendWorkload(found, running, "running EC2 instance")
	}
	if r.Lambda == nil {
		missing = append(missing, "lambda")
	} else {
		var names []string
		for _, f := range r.Lambda.Functions {
			names = append(names, f.Name)
		}
		found = appendWorkload(found, names, "Lambda function")
	}
	if r.RDS == nil {
		missing = append(missing, "rds")
	} else {
		found = appendWorkload(found, r.RDS.Instances, "RDS instance")
	}
	if r.ECS == nil {
		missing = append(missing, "ecs")
	} else if r.ECS.Services > 0 {
		found = append(found, fmt.Sprintf("%d ECS services (clusters %s)", r.ECS.Services, listOf(r.ECS.Clusters)))
	}
	return found, missing
}

func appendWorkload(found, ids []string, what string) []string {
	switch len(ids) {
	case 0:
		return found
	case 1:
		return append(found, fmt.Sprintf("1 %s (%s)", what, ids[0]))
	}
	return append(found, fmt.Sprintf("%d %ss (%s)", len(ids), what, listOf(ids)))
}
