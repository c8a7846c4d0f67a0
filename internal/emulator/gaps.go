package emulator

// CannotApply are the automated controls whose writes moto 5.2.1 cannot
// perform or show faithfully (docs/emulator-gaps.md), with the reason.
// Everything that applies against the emulator (the end-to-end tests, the
// apply benchmark, the demo) disables them; their ops are tested against
// fakes of their narrow interfaces.
var CannotApply = map[string]string{
	"account.ecs-long-arn":      "moto has no ecs:PutAccountSettingDefault and lists only explicit settings",
	"account.security-contact":  "moto has no account:GetContactInformation, so the contact's phone number is unknown",
	"logs.central-pipeline":     "moto has no DescribeAccountPolicies or PutAccountPolicy (account-level subscription policies)",
	"org.delegated-admins":      "moto refuses securityhub and config delegations and never shows GuardDuty's in Organizations",
	"org.security-account":      "it holds the delegations moto cannot make (org.delegated-admins)",
	"config.aggregator":         "it needs the Config delegation moto refuses",
	"backup.plan":               "moto has no CreateBackupSelection, ListBackupSelections or UpdateBackupPlan",
	"backup.cross-region":       "it copies through the backup plan moto cannot complete (backup.plan)",
	"budgets.anomaly-detection": "moto has no Cost Anomaly Detection",
	"iam.access-analyzer":       "moto has no IAM Access Analyzer",
	"securityhub.enabled":       "moto has no GetEnabledStandards: the standards apply turns on cannot be seen",
}
