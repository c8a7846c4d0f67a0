package controls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The AWS Backup set-up apply makes in an account whose backups fall short:
// in the home region a vault and a plan whose one rule backs up daily into
// it, keeps recovery points BackupRetentionDays and copies them to a vault
// of the same name in the replica region, and a selection of the resources
// tagged backup=true, run by a role of the account. Vaults are made with
// Vault Lock (minimum retention BackupRetentionDays) when backup.vault-lock
// takes part in the plan. backup.plan owns the home vault, the plan and the
// selection; backup.cross-region the replica vault and the copy.

// The tag that puts a resource in the baseline's backups.
const (
	backupTagKey   = "backup"
	backupTagValue = "true"
	backupSchedule = "cron(0 5 ? * * *)" // daily at 05:00 UTC
)

// backupManagedPolicies let AWS Backup back up and restore the usual resources.
var backupManagedPolicies = []string{"service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores"}

func backupVaultARN(region, account, name string) string {
	return fmt.Sprintf("arn:%s:backup:%s:%s:backup-vault:%s", partitionOf(region), region, account, name)
}

// backupPlanResource names the plan in changes: its ARN carries an id AWS
// gives at creation.
func backupPlanResource(s *catalog.Settings) string { return "backup-plan/" + backupPlan(s) }

// vaultSpec is a backup vault, locked when MinRetentionDays is set.
type vaultSpec struct {
	Name             string            `json:"name"`
	MinRetentionDays int64             `json:"min_retention_days,omitempty"`
	Tags             map[string]string `json:"tags"`
}

// backupPlanSpec is the baseline's plan: one rule, into Vault, copied to
// the vaults of CopyTo.
type backupPlanSpec struct {
	Name            string            `json:"name"`
	Rule            string            `json:"rule"`
	Vault           string            `json:"vault"`
	Schedule        string            `json:"schedule"`
	DeleteAfterDays int64             `json:"delete_after_days"`
	CopyTo          []string          `json:"copy_to,omitempty"`
	Tags            map[string]string `json:"tags"`
}

// backupSelectionSpec selects the resources of a tag for a plan.
type backupSelectionSpec struct {
	Plan     string `json:"plan"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	TagKey   string `json:"tag_key"`
	TagValue string `json:"tag_value"`
}

// backupSetup is the baseline's backup set-up of the planner's account.
type backupSetup struct {
	p       *catalog.Planner
	account *snapshot.Account
	home    string
	replica string // "" when there is no other region to copy to
}

func newBackupSetup(p *catalog.Planner) backupSetup {
	b := backupSetup{p: p, account: p.Account, home: p.Settings.HomeRegion}
	if r := p.Settings.ReplicaRegion; r != "" && r != b.home {
		b.replica = r
	}
	return b
}

// state is the backup state of region, or nil after blocking when it was
// not assessed.
func (b backupSetup) state(region string) *snapshot.Backup {
	if r := b.account.Regions[region]; r != nil && r.Backup != nil {
		return r.Backup
	}
	b.p.At(b.account.AccountID, region).Block("", "AWS Backup was not assessed in %s", region)
	return nil
}

// plan returns the baseline's plan in the home region, or nil.
func (b backupSetup) plan(st *snapshot.Backup) *snapshot.BackupPlan {
	name := backupPlan(b.p.Settings)
	if i := slices.IndexFunc(st.Plans, func(p snapshot.BackupPlan) bool { return p.Name == name }); i >= 0 {
		return &st.Plans[i]
	}
	return nil
}

// replicaVault is the ARN of the vault the plan copies to.
func (b backupSetup) replicaVault() string {
	return backupVaultARN(b.replica, b.account.AccountID, backupVault(b.p.Settings))
}

// vault plans the baseline's vault in region, which the caller is about to
// back up or copy to, and returns the reference its changes depend on. A
// vault that exists is locked here when nothing uses it yet (apply stopped
// between creating and locking it): backup.vault-lock only sees vaults in use.
func (b backupSetup) vault(region string, st *snapshot.Backup) string {
	s := b.p.Settings
	at := b.p.At(b.account.AccountID, region)
	arn := backupVaultARN(region, b.account.AccountID, backupVault(s))
	want := vaultSpec{Name: backupVault(s), Tags: catalog.ManagedTags(nil)}
	if b.p.Enabled("backup.vault-lock") {
		want.MinRetentionDays = int64(s.BackupRetentionDays)
	}
	switch i := slices.IndexFunc(st.Vaults, func(v snapshot.BackupVault) bool { return v.Name == want.Name }); {
	case i < 0:
		at.Create("vault", arn, want)
	case want.MinRetentionDays > 0 && !st.Vaults[i].Locked && st.Vaults[i].RecoveryPoints == 0 &&
		!backupTarget(b.p.Snap, b.account.AccountID, region, st.Vaults[i]):
		at.Update("vault", arn, st.Vaults[i], want)
	}
	return at.Ref(arn)
}

// desiredPlan is the baseline's plan; it copies to the replica region when
// the replica vault exists or backup.cross-region will make it.
func (b backupSetup) desiredPlan(copies bool) backupPlanSpec {
	s := b.p.Settings
	want := backupPlanSpec{Name: backupPlan(s), Rule: backupRule(s), Vault: backupVault(s), Schedule: backupSchedule,
		DeleteAfterDays: int64(s.BackupRetentionDays), Tags: catalog.ManagedTags(nil)}
	if copies {
		want.CopyTo = []string{b.replicaVault()}
	}
	return want
}

// matches reports whether the plan has the rule as wanted; copies it makes
// beyond the wanted ones are kept.
func (want backupPlanSpec) matches(p *snapshot.BackupPlan) bool {
	return slices.ContainsFunc(p.Rules, func(r snapshot.BackupRule) bool {
		return r.Name == want.Rule && r.Vault == want.Vault && r.DeleteAfterDays == want.DeleteAfterDays &&
			!slices.ContainsFunc(want.CopyTo, func(c string) bool { return !slices.Contains(r.CopyTo, c) })
	})
}

// copying reports whether the baseline's plan copies, or will copy, to the
// replica vault: backup.cross-region is enabled and there is a replica
// region, and the vault exists or the control fails here (and so makes it).
func (b backupSetup) copying() bool {
	if !b.p.Enabled("backup.cross-region") || b.replica == "" {
		return false
	}
	if r := b.account.Regions[b.replica]; r != nil && r.Backup != nil &&
		slices.ContainsFunc(r.Backup.Vaults, func(v snapshot.BackupVault) bool { return v.Arn == b.replicaVault() }) {
		return true
	}
	return failsHere(b.p, "backup.cross-region")
}

// failsHere reports whether control id's check FAILs on the planner's unit:
// whether that control's fix will act there.
func failsHere(p *catalog.Planner, id string) bool {
	c, ok := catalog.Get(id)
	if !ok {
		return false
	}
	e := catalog.NewEval(c, p.Snap, p.Settings, catalog.IndexErrors(p.Snap), p.Account, p.Region)
	c.Check(e)
	return slices.ContainsFunc(e.Findings(), func(f catalog.Finding) bool { return f.Status == catalog.StatusFail })
}

// planBackupPlan is backup.plan's fix: the home vault, the plan and its
// selection of tagged resources, where no plan covers tagged resources.
func planBackupPlan(p *catalog.Planner) {
	if len(failures(p)) == 0 {
		return
	}
	b := newBackupSetup(p)
	st := b.state(b.home)
	if st == nil {
		return
	}
	s := p.Settings
	at := p.At(b.account.AccountID, b.home)
	copies := b.copying()
	deps := []string{b.vault(b.home, st)}
	if copies {
		deps = append(deps, catalog.Ref(b.account.AccountID, b.replica, b.replicaVault()))
	}
	want := b.desiredPlan(copies)
	res := backupPlanResource(s)
	cur := b.plan(st)
	switch {
	case cur == nil:
		at.Create("plan", res, want, deps...)
	case !want.matches(cur):
		at.Update("plan", res, *cur, want, deps...)
	}
	if cur != nil && taggedSelection(*cur) != nil {
		return
	}
	// Roles are not collected: the role is made with the selection that
	// runs as it, so a selection that exists says it does.
	role := roleSpec{Name: backupRole(s), Service: "backup.amazonaws.com"}
	for _, name := range backupManagedPolicies {
		role.Policies = append(role.Policies, awsPolicyARN(s, name))
	}
	at.Create("selection", "backup-selection/"+backupPlan(s)+"/"+backupSelection(s),
		backupSelectionSpec{Plan: backupPlan(s), Name: backupSelection(s), Role: iamRoleARN(b.home, b.account.AccountID, role.Name),
			TagKey: backupTagKey, TagValue: backupTagValue},
		at.Ref(res), planServiceRole(p, b.account.AccountID, role))
}

// planBackupCopy is backup.cross-region's fix: the replica vault, and the
// copy action on the baseline's plan (made with it when backup.plan creates it).
func planBackupCopy(p *catalog.Planner) {
	if len(failures(p)) == 0 {
		return
	}
	b := newBackupSetup(p)
	if b.replica == "" {
		p.Here().Block("", "there is no region to copy backups to: set logging.replica_region in baseline.yaml, or allow a second region")
		return
	}
	home, replica := b.state(b.home), b.state(b.replica)
	if home == nil || replica == nil {
		return
	}
	vaultRef := b.vault(b.replica, replica)
	at := p.At(b.account.AccountID, b.home)
	res := backupPlanResource(p.Settings)
	switch cur := b.plan(home); {
	case cur != nil:
		if want := b.desiredPlan(true); !want.matches(cur) {
			at.Update("plan", res, *cur, want, vaultRef)
		}
	case !p.Enabled("backup.plan") || !failsHere(p, "backup.plan"):
		at.Block(res, "the baseline has no backup plan here to copy from: enable backup.plan, or add a copy action "+
			"to another region to a plan of yours")
	}
}

// ---- Ops --------------------------------------------------------------------

var backupOps = opsOf(roleOps, map[string]catalog.Op{
	"vault": decodedOp(func(ctx context.Context, cfg aws.Config, v vaultSpec) error {
		return ensureVault(ctx, backup.NewFromConfig(cfg), v)
	}),
	"plan": decodedOp(func(ctx context.Context, cfg aws.Config, want backupPlanSpec) error {
		return ensureBackupPlan(ctx, backup.NewFromConfig(cfg), want)
	}),
	"selection": decodedOp(func(ctx context.Context, cfg aws.Config, sel backupSelectionSpec) error {
		return ensureBackupSelection(ctx, backup.NewFromConfig(cfg), sel)
	}),
})

type vaultWriter interface {
	CreateBackupVault(context.Context, *backup.CreateBackupVaultInput, ...func(*backup.Options)) (*backup.CreateBackupVaultOutput, error)
	vaultLocker
}

type vaultLocker interface {
	PutBackupVaultLockConfiguration(context.Context, *backup.PutBackupVaultLockConfigurationInput, ...func(*backup.Options)) (*backup.PutBackupVaultLockConfigurationOutput, error)
}

// ensureVault creates the vault (one of its name is adopted), then locks it.
func ensureVault(ctx context.Context, api vaultWriter, v vaultSpec) error {
	_, err := api.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String(v.Name), BackupVaultTags: v.Tags})
	if err != nil && !hasCode(err, "AlreadyExistsException") {
		return err
	}
	if v.MinRetentionDays == 0 {
		return nil
	}
	return lockVault(ctx, api, v)
}

// lockVault puts Vault Lock in governance mode (no ChangeableForDays): it
// binds everyone without backup:DeleteBackupVaultLockConfiguration, and a
// person, not apply, decides to make it irreversible.
func lockVault(ctx context.Context, api vaultLocker, v vaultSpec) error {
	_, err := api.PutBackupVaultLockConfiguration(ctx, &backup.PutBackupVaultLockConfigurationInput{BackupVaultName: aws.String(v.Name),
		MinRetentionDays: aws.Int64(v.MinRetentionDays)})
	return err
}

type backupPlanWriter interface {
	ListBackupPlans(context.Context, *backup.ListBackupPlansInput, ...func(*backup.Options)) (*backup.ListBackupPlansOutput, error)
	GetBackupPlan(context.Context, *backup.GetBackupPlanInput, ...func(*backup.Options)) (*backup.GetBackupPlanOutput, error)
	CreateBackupPlan(context.Context, *backup.CreateBackupPlanInput, ...func(*backup.Options)) (*backup.CreateBackupPlanOutput, error)
	UpdateBackupPlan(context.Context, *backup.UpdateBackupPlanInput, ...func(*backup.Options)) (*backup.UpdateBackupPlanOutput, error)
}

// backupPlanID finds a plan by name (AWS Backup does not keep names
// unique): "" when there is none.
func backupPlanID(ctx context.Context, api backup.ListBackupPlansAPIClient, name string) (string, error) {
	p := backup.NewListBackupPlansPaginator(api, &backup.ListBackupPlansInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, pl := range page.BackupPlansList {
			if aws.ToString(pl.BackupPlanName) == name {
				return aws.ToString(pl.BackupPlanId), nil
			}
		}
	}
	return "", nil
}

// ensureBackupPlan creates the plan, or brings the rule of its name in the
// plan that exists to want, keeping its other rules and its other copies.
func ensureBackupPlan(ctx context.Context, api backupPlanWriter, want backupPlanSpec) error {
	id, err := backupPlanID(ctx, api, want.Name)
	if err != nil {
		return err
	}
	rule := backuptypes.BackupRuleInput{RuleName: aws.String(want.Rule), TargetBackupVaultName: aws.String(want.Vault),
		ScheduleExpression: aws.String(want.Schedule), Lifecycle: &backuptypes.Lifecycle{DeleteAfterDays: aws.Int64(want.DeleteAfterDays)}}
	for _, arn := range want.CopyTo {
		rule.CopyActions = append(rule.CopyActions, backuptypes.CopyAction{DestinationBackupVaultArn: aws.String(arn),
			Lifecycle: &backuptypes.Lifecycle{DeleteAfterDays: aws.Int64(want.DeleteAfterDays)}})
	}
	if id == "" {
		_, err := api.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlanTags: want.Tags,
			BackupPlan: &backuptypes.BackupPlanInput{BackupPlanName: aws.String(want.Name), Rules: []backuptypes.BackupRuleInput{rule}}})
		return err
	}
	cur, err := api.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: aws.String(id)})
	if err != nil {
		return err
	}
	doc := &backuptypes.BackupPlanInput{BackupPlanName: aws.String(want.Name)}
	if cur.BackupPlan != nil {
		doc.AdvancedBackupSettings = cur.BackupPlan.AdvancedBackupSettings
		for _, r := range cur.BackupPlan.Rules {
			if aws.ToString(r.RuleName) != want.Rule {
				doc.Rules = append(doc.Rules, ruleInput(r))
				continue
			}
			for _, c := range r.CopyActions {
				if !slices.Contains(want.CopyTo, aws.ToString(c.DestinationBackupVaultArn)) {
					rule.CopyActions = append(rule.CopyActions, c)
				}
			}
		}
	}
	doc.Rules = append(doc.Rules, rule)
	_, err = api.UpdateBackupPlan(ctx, &backup.UpdateBackupPlanInput{BackupPlanId: aws.String(id), BackupPlan: doc})
	return err
}

// ruleInput writes a rule read from a plan back as it is.
func ruleInput(r backuptypes.BackupRule) backuptypes.BackupRuleInput {
	return backuptypes.BackupRuleInput{RuleName: r.RuleName, TargetBackupVaultName: r.TargetBackupVaultName,
		CompletionWindowMinutes: r.CompletionWindowMinutes, CopyActions: r.CopyActions, EnableContinuousBackup: r.EnableContinuousBackup,
		IndexActions: r.IndexActions, Lifecycle: r.Lifecycle, RecoveryPointTags: r.RecoveryPointTags, ScanActions: r.ScanActions,
		ScheduleExpression: r.ScheduleExpression, ScheduleExpressionTimezone: r.ScheduleExpressionTimezone,
		StartWindowMinutes: r.StartWindowMinutes, TargetLogicallyAirGappedBackupVaultArn: r.TargetLogicallyAirGappedBackupVaultArn}
}

type backupSelectionWriter interface {
	ListBackupPlans(context.Context, *backup.ListBackupPlansInput, ...func(*backup.Options)) (*backup.ListBackupPlansOutput, error)
	ListBackupSelections(context.Context, *backup.ListBackupSelectionsInput, ...func(*backup.Options)) (*backup.ListBackupSelectionsOutput, error)
	CreateBackupSelection(context.Context, *backup.CreateBackupSelectionInput, ...func(*backup.Options)) (*backup.CreateBackupSelectionOutput, error)
}

// errPlanNotVisible is a plan created moments ago that the listing does not
// show yet.
var errPlanNotVisible = errors.New("backup plan not found")

// ensureBackupSelection adds the selection to the plan unless the plan has
// one of that name.
func ensureBackupSelection(ctx context.Context, api backupSelectionWriter, sel backupSelectionSpec) error {
	id, err := backupPlanID(ctx, api, sel.Plan)
	switch {
	case err != nil:
		return err
	case id == "":
		return catalog.Retryable(fmt.Errorf("%w: %s", errPlanNotVisible, sel.Plan))
	}
	p := backup.NewListBackupSelectionsPaginator(api, &backup.ListBackupSelectionsInput{BackupPlanId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(page.BackupSelectionsList, func(s backuptypes.BackupSelectionsListMember) bool {
			return aws.ToString(s.SelectionName) == sel.Name
		}) {
			return nil
		}
	}
	_, err = api.CreateBackupSelection(ctx, &backup.CreateBackupSelectionInput{BackupPlanId: aws.String(id),
		BackupSelection: &backuptypes.BackupSelection{SelectionName: aws.String(sel.Name), IamRoleArn: aws.String(sel.Role),
			ListOfTags: []backuptypes.Condition{{ConditionType: backuptypes.ConditionTypeStringequals,
				ConditionKey: aws.String(sel.TagKey), ConditionValue: aws.String(sel.TagValue)}}}})
	if hasCode(err, "InvalidParameterValueException") && strings.Contains(err.Error(), sel.Role) {
		return catalog.Retryable(err) // AWS Backup cannot assume the role just created yet
	}
	return err
}
