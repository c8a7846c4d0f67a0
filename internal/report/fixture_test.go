package report

import (
	"time"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The fixture: three accounts at stages F10, F3 and F0, every status, and
// text that needs escaping in every format (<, &, quotes, commas, newlines,
// a terminal escape, a leading spreadsheet-formula character).
const (
	mgmt     = "111111111111"
	security = "222222222222"
	workload = "333333333333"
	oddSG    = "sg-00 \"web\" <admin> & ops,\nsecond line\x1b[2J"
)

var (
	collectedAt = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	generatedAt = time.Date(2025, 3, 4, 6, 0, 0, 0, time.UTC)
)

func check(*catalog.Eval) {}

// Test controls, registered in this test binary only (the report package
// does not import the real catalog).
var _ = func() int {
	for _, c := range []*catalog.Control{
		{ID: "account.alias", Title: "Account alias is set and follows the naming scheme", Stage: "F1", Kind: catalog.Automated,
			Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Low, Check: check,
			Rationale: "A meaningful alias tells people which account they are in.",
			Steps:     "Console: IAM > Dashboard > Account Alias > Create.\nCLI: aws iam create-account-alias --account-alias <company>-<name>"},
		{ID: "account.contact-details", Title: "Contact details are current", Stage: "F1", Kind: catalog.Manual,
			Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Medium, CIS: []string{"2.2"},
			Rationale: "AWS must be able to reach the owner & the security team.",
			Steps:     "Console: Account > Contact information > Edit.\nThen attest it in attestations.yaml."},
		{ID: "org.accounts-categorized", Title: "Every account is in an OU or tagged with a category", Stage: "F1", Kind: catalog.Automated,
			Scope: catalog.ScopeOrg, Unit: catalog.PerOrg, Severity: catalog.Medium, CIS: []string{"2.1.4"}, Check: check,
			Rationale: "Policies follow the category of an account.",
			Steps:     "Console: Organizations > AWS accounts > Move.\nCLI: aws organizations move-account --account-id <id> --source-parent-id <root> --destination-parent-id <ou>"},
		{ID: "backup.plan", Title: "AWS Backup plan covers tagged resources", Stage: "F2", Kind: catalog.Automated,
			Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Medium, Check: check,
			Rationale: "Backups are the last line against ransomware and mistakes.",
			Steps:     "Console: AWS Backup > Backup plans > Create.\nCLI: aws backup create-backup-plan --backup-plan file://plan.json"},
		{ID: "s3.account-public-access-block", Title: "S3 Block Public Access is on for the account", Stage: "F3", Kind: catalog.Automated,
			Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.High, CIS: []string{"3.1.4"}, Check: check,
			Rationale: "One switch keeps every bucket private, whatever its policy or ACL says.",
			Steps:     "CLI: aws s3control put-public-access-block --account-id <id> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"},
		{ID: "vpc.flow-logs", Title: "Flow logs on every VPC", Stage: "F3", Kind: catalog.Automated,
			Scope: catalog.ScopeResource, Unit: catalog.PerRegion, Severity: catalog.Medium, CIS: []string{"4.7"}, Check: check,
			Rationale: "Flow logs show who talked to what, after the fact.",
			Steps:     "CLI: aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc> --traffic-type ALL"},
		{ID: "alerts.topic", Title: "An alert topic with a subscriber receives security events", Stage: "F4", Kind: catalog.Automated,
			Scope: catalog.ScopeAccount, Unit: catalog.PerAccount, Severity: catalog.Medium, Check: check,
			Rationale: "An alarm no one hears is no alarm.",
			Steps:     "CLI: aws sns create-topic --name security-alerts && aws sns subscribe --topic-arn <arn> --protocol email --notification-endpoint <team>"},
		{ID: "vpc.no-admin-ports-open", Title: "No security group opens admin ports to the internet", Stage: "F9", Kind: catalog.Detective,
			Scope: catalog.ScopeResource, Unit: catalog.PerRegion, Severity: catalog.High, CIS: []string{"6.2", "6.3", "6.4"}, Check: check,
			Rationale: "SSH and RDP open to the world are scanned within minutes.",
			Steps:     "Console: EC2 > Security groups > Edit inbound rules; remove 0.0.0.0/0 and ::/0 on 22, 3389."},
		{ID: "config.recorder", Title: "AWS Config records all resources", Stage: "M3", Kind: catalog.Automated,
			Scope: catalog.ScopeRegion, Unit: catalog.PerRegion, Severity: catalog.Medium, CIS: []string{"4.3"}, Check: check,
			Rationale: "Config keeps the history of every resource.",
			Steps:     "CLI: aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=<role> --recording-group allSupported=true"},
		{ID: "org.scp.deny-root", Title: "SCP denies root-user actions in member accounts", Stage: "C4", Kind: catalog.Automated,
			Scope: catalog.ScopeOrg, Unit: catalog.PerOrg, Severity: catalog.Critical, Check: check,
			Rationale: "Root credentials of members should never be used.",
			Steps:     "Attach an SCP with Deny * when aws:PrincipalArn is arn:aws:iam::*:root."},
	} {
		catalog.Register(c)
	}
	return 0
}()

func fixtureSnapshot() *snapshot.Snapshot {
	return &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion,
		CollectedAt:   collectedAt,
		ToolVersion:   "1.2.3",
		Organization:  &snapshot.Organization{ID: "o-abc123def4", ManagementAccountID: mgmt, Member: true, Full: true},
		Regions:       []string{"eu-west-1", "us-east-1"},
		Accounts: []*snapshot.Account{
			{AccountID: mgmt, Name: "management", OUPath: "/"},
			{AccountID: security, Name: `security, "audit" & <logs>`, OUPath: "/Security", Category: "security"},
			{AccountID: workload, Name: "workload-prod", OUPath: "/Workloads/Prod", Category: "prod"},
		},
	}
}

func fixtureFindings() []catalog.Finding {
	f := func(id string, st catalog.Status, sev catalog.Severity, acct, region, res, reason string) catalog.Finding {
		return catalog.Finding{ControlID: id, Status: st, Severity: sev, AccountID: acct, Region: region, Resource: res, Reason: reason}
	}
	const (
		pass, fail, errs, manual, skip = catalog.StatusPass, catalog.StatusFail, catalog.StatusError, catalog.StatusManual, catalog.StatusSkip
		low, med, high, crit           = catalog.Low, catalog.Medium, catalog.High, catalog.Critical
	)
	out := []catalog.Finding{
		f("account.alias", pass, low, mgmt, "", "", `alias "acme-management" matches the naming scheme`),
		f("account.alias", pass, low, security, "", "", `alias "acme-security" matches the naming scheme`),
		f("account.alias", fail, low, workload, "", "", `alias "prod" does not match the naming scheme ^acme-[a-z-]+$`),
		f("account.contact-details", pass, med, mgmt, "", "", "attested by alice@example.com on 2025-01-10 until 2026-01-10"),
		f("account.contact-details", pass, med, security, "", "", "attested by alice@example.com on 2025-01-10 until 2026-01-10"),
		f("account.contact-details", manual, med, workload, "", "", "needs an attestation: Console: Account > Contact information > Edit."),
		f("org.accounts-categorized", pass, med, mgmt, "", "", "every account is in a categorized OU or tagged"),
		f("backup.plan", pass, med, mgmt, "", "", "plan daily-35d covers resources tagged backup=true"),
		f("backup.plan", skip, med, security, "", "", "no taggable resources to back up"),
		f("backup.plan", pass, med, workload, "", "", "plan daily-35d covers resources tagged backup=true"),
		f("s3.account-public-access-block", pass, high, mgmt, "", "", "all four settings are on"),
		f("s3.account-public-access-block", pass, high, security, "", "", "all four settings are on"),
		f("s3.account-public-access-block", errs, high, workload, "", "", "access denied to s3control:GetPublicAccessBlock (AccessDenied): grant s3control:GetPublicAccessBlock to the audit role"),
		f("vpc.flow-logs", pass, med, mgmt, "us-east-1", "", "no VPCs"),
		f("vpc.flow-logs", pass, med, security, "us-east-1", "", "no VPCs"),
		f("vpc.flow-logs", pass, med, workload, "eu-west-1", "", "no VPCs"),
		f("vpc.flow-logs", fail, med, workload, "us-east-1", "arn:aws:ec2:us-east-1:333333333333:vpc/vpc-0a1", "VPC vpc-0a1 has no flow log"),
		f("vpc.flow-logs", pass, med, workload, "us-east-1", "arn:aws:ec2:us-east-1:333333333333:vpc/vpc-0b2", "flow log fl-1 delivers to s3"),
		f("alerts.topic", pass, med, mgmt, "", "", "topic security-alerts has 2 confirmed subscribers"),
		f("alerts.topic", fail, med, security, "", "", "no SNS topic with a confirmed subscriber receives the security events"),
		f("alerts.topic", pass, med, workload, "", "", "topic security-alerts has 1 confirmed subscriber"),
		f("vpc.no-admin-ports-open", pass, high, mgmt, "us-east-1", "", "no security group opens admin ports"),
		f("vpc.no-admin-ports-open", pass, high, security, "us-east-1", "", "no security group opens admin ports"),
	}
	out = append(out, f("vpc.no-admin-ports-open", fail, high, workload, "us-east-1", oddSG, `+rule "allow <all>" & friends, opens 3389 to ::/0`))
	for i := 1; i <= 6; i++ {
		id := "sg-0" + string(rune('0'+i))
		out = append(out, f("vpc.no-admin-ports-open", fail, high, workload, "us-east-1", id, "security group "+id+" opens port 22 to 0.0.0.0/0"))
	}
	out = append(out,
		f("config.recorder", pass, med, mgmt, "us-east-1", "", "recorder default records all resources"),
		f("config.recorder", skip, med, workload, "eu-west-1", "", "region is not enabled for the account"),
		f("config.recorder", fail, med, workload, "us-east-1", "", "no configuration recorder"),
		f("org.scp.deny-root", fail, crit, mgmt, "", "", "no SCP attached to the root or every OU denies root-user actions"),
	)
	return out
}

func fixture() Input {
	findings := fixtureFindings()
	s := audit.Summary{Accounts: 3, Maturity: map[string]int{mgmt: 10, security: 3, workload: 0}}
	for _, f := range findings {
		switch f.Status {
		case catalog.StatusPass:
			s.Pass++
		case catalog.StatusFail:
			s.Fail++
		case catalog.StatusError:
			s.Error++
		case catalog.StatusManual:
			s.Manual++
		case catalog.StatusSkip:
			s.Skip++
		}
	}
	return Input{
		Result:      &audit.Result{Summary: s, Findings: findings},
		Snapshot:    fixtureSnapshot(),
		Now:         generatedAt,
		ToolVersion: "1.2.3",
	}
}
