package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "backup.plan",
	Title:    "An AWS Backup plan covers tagged resources, with retention",
	Stage:    "F2",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.High,
	Rationale: "Backups decide whether ransomware, a bad deployment or a deleted table is an incident or a " +
		"catastrophe. A plan that selects resources by tag covers new resources the moment they are tagged, and " +
		"a retention period bounds both cost and how far back you can restore.",
	Steps: "Create a backup plan (or an organization backup policy) with a rule that has a retention period and " +
		"a selection by tag, e.g. backup=daily, and tag the resources to protect.\n" +
		"Console: AWS Backup > Backup plans > Create backup plan > Assign resources > Include specific resource " +
		"types > Tags.\n" +
		"CLI: aws backup create-backup-plan --backup-plan '{\"BackupPlanName\":\"daily\",\"Rules\":[{\"RuleName\":\"daily\"," +
		"\"TargetBackupVaultName\":\"Default\",\"ScheduleExpression\":\"cron(0 5 * * ? *)\",\"Lifecycle\":{\"DeleteAfterDays\":35}}]}'\n" +
		"     aws backup create-backup-selection --backup-plan-id <id> --backup-selection '{\"SelectionName\":\"tagged\"," +
		"\"IamRoleArn\":\"arn:aws:iam::<account>:role/service-role/AWSBackupDefaultServiceRole\"," +
		"\"ListOfTags\":[{\"ConditionType\":\"STRINGEQUALS\",\"ConditionKey\":\"backup\",\"ConditionValue\":\"daily\"}]}'",
	Reads: []string{"backup:ListBackupPlans"},
	Check: func(e *catalog.Eval) {
		var gaps []string
		var readErr *snapshot.Error
		plans := 0
		for _, region := range assessedRegions(e.Account) {
			b := e.Account.Regions[region].Backup
			if b == nil {
				e.NotCollected("backup")
				return
			}
			for _, p := range b.Plans {
				plans++
				label := backupPlanLabel(p, region)
				if err := backupPlanReadFailed(e, region, p.ID); err != nil {
					readErr = err
					continue
				}
				tagged, kept := taggedSelection(p), retainedRule(p)
				switch {
				case tagged != nil && kept != nil:
					e.Pass("", "%s backs up resources tagged %s, keeping recovery points %d days (rule %s)",
						label, strings.Join(tagged.Tags, " or "), kept.DeleteAfterDays, kept.Name)
					return
				case tagged == nil:
					gaps = append(gaps, label+" selects no resources by tag")
				default:
					gaps = append(gaps, label+" has no rule with a retention period")
				}
			}
		}
		switch {
		case readErr != nil:
			e.ReadFailed("", readErr)
		case plans == 0:
			e.Fail("", "no AWS Backup plan in %s: create one with a tag-based selection and a retention period",
				listOf(assessedRegions(e.Account)))
		default:
			e.Fail("", "no backup plan both selects resources by tag and retains them: %s", strings.Join(gaps, "; "))
		}
	},
	Fix: &catalog.Fix{Plan: planBackupPlan, Ops: backupOps},
})
