package controls

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "detection.honeytokens",
	Title:    "A honeytoken credential exists and its use raises an alert",
	Stage:    "F8",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeOrg,
	Unit:     catalog.PerOrg,
	Severity: catalog.Low,
	Rationale: "An access key that no one uses, planted where an intruder looks (a config file, a wiki, a CI variable), " +
		"has no legitimate use: its first API call is a near-certain sign of compromise, usually a read-only " +
		"sts:GetCallerIdentity, so the alert must see read-only calls.",
	Steps: "Create an IAM user without permissions and an access key for it, plant the key, declare the user in " +
		"baseline.yaml (audit.honeytoken_users), and alert on any call it makes. Apply does this in the security account " +
		"(user <prefix>-ci-deploy unless baseline.yaml declares one), except planting: it never keeps the secret of the key it " +
		"makes, so create the key you plant yourself:\n" +
		"CLI: aws iam create-user --user-name <honeytoken>; aws iam create-access-key --user-name <honeytoken>\n" +
		"     aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name honeytoken " +
		"--filter-pattern '{ $.userIdentity.userName = \"<honeytoken>\" }' " +
		"--metric-transformations metricName=HoneytokenUsed,metricNamespace=Security,metricValue=1\n" +
		"     aws cloudwatch put-metric-alarm --alarm-name honeytoken-used --metric-name HoneytokenUsed --namespace Security " +
		"--statistic Sum --period 60 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 " +
		"--alarm-actions <sns-topic-arn>\n" +
		"(or an EventBridge rule on detail.userIdentity.userName in the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)",
	Reads: []string{"iam:GetAccountAuthorizationDetails", "iam:GetCredentialReport", "cloudtrail:DescribeTrails",
		"logs:DescribeMetricFilters", "cloudwatch:DescribeAlarms", "events:ListRules"},
	Knob: "audit.honeytoken_users",
	Check: func(e *catalog.Eval) {
		names := honeytokenUsers(e.Settings)
		found, uncollected := honeytokensIn(e.Snap, names)
		for _, h := range found {
			honeytoken(e, h)
		}
		switch {
		case len(found) > 0:
		case len(uncollected) > 0:
			e.Errorf("", "no declared honeytoken user (%s) was found, and IAM was not read in %s", listOf(names), listOf(uncollected))
		case slices.Equal(names, []string{defaultHoneytokenUser(e.Settings)}):
			// Completed settings name the default when baseline.yaml declares none.
			e.Fail("", "no honeytoken user is declared in baseline.yaml (audit.honeytoken_users), and %s, the one apply creates "+
				"when none is, does not exist: create one", names[0])
		default:
			e.Fail("", "no declared honeytoken user (%s) exists in the assessed accounts: create one", listOf(names))
		}
	},
	Fix: &catalog.Fix{
		Plan: planHoneytokens,
		Ops: map[string]catalog.Op{
			opHoneytokenUser: decodedOp(func(ctx context.Context, cfg aws.Config, u honeytokenSpec) error {
				return createHoneytokenUser(ctx, iam.NewFromConfig(cfg), partitionOf(cfg.Region), u)
			}),
			opHoneytokenKey: decodedOp(func(ctx context.Context, cfg aws.Config, u honeytokenSpec) error {
				return ensureHoneytokenKey(ctx, iam.NewFromConfig(cfg), u)
			}),
			opHoneytokenRule: decodedOp(func(ctx context.Context, cfg aws.Config, r eventRule) error {
				return putEventRule(ctx, eventbridge.NewFromConfig(cfg), r)
			}),
		},
	},
})

// honeytokenUsers are the honeytoken users the control looks for: those
// baseline.yaml declares, else the one apply creates.
func honeytokenUsers(s *catalog.Settings) []string {
	if len(s.HoneytokenUsers) > 0 {
		return s.HoneytokenUsers
	}
	return []string{defaultHoneytokenUser(s)}
}

// foundHoneytoken is a honeytoken user and its account.
type foundHoneytoken struct {
	account *snapshot.Account
	user    snapshot.User
}

// honeytokensIn finds the users of the given names (compared as IAM does,
// case-insensitively) and lists the accounts whose IAM was not read.
func honeytokensIn(snap *snapshot.Snapshot, names []string) (found []foundHoneytoken, uncollected []string) {
	for _, a := range snap.Accounts {
		if a.Global.IAM == nil {
			uncollected = append(uncollected, accountLabel(a))
			continue
		}
		for _, u := range a.Global.IAM.Users {
			if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, u.Name) }) {
				found = append(found, foundHoneytoken{a, u})
			}
		}
	}
	return found, uncollected
}

// honeytokenState is what the check finds of one honeytoken user.
type honeytokenState struct {
	keyless bool // it has no active access key to plant
	// fullSlots: both key slots hold inactive keys, so no key can be added.
	fullSlots bool
	// trailsUnread is set when the trails covering the account were not collected.
	trailsUnread bool
	// seesRead and seesWrite raise an alert on its read and write calls.
	seesRead, seesWrite *alerter
	unknown             []string // why other alerters could not be assessed
}

func (st honeytokenState) alerted() bool { return st.seesRead != nil && st.seesWrite != nil }

func assessHoneytoken(snap *snapshot.Snapshot, h foundHoneytoken) honeytokenState {
	var st honeytokenState
	creds := h.account.Global.IAM.Credentials
	if i := slices.IndexFunc(creds, func(c snapshot.CredentialEntry) bool { return c.User == h.user.Name }); i >= 0 {
		k := creds[i].AccessKeys
		st.keyless = !k[0].Active && !k[1].Active
		st.fullSlots = st.keyless && k[0].Rotated != nil && k[1].Rotated != nil
	}
	trails, ok := trailsCovering(snap, h.account)
	if !ok {
		st.trailsUnread = true
		return st
	}
	al := alertingFor(snap, h.account, trails)
	var naming []*alerter
	for _, x := range al.all() {
		if strings.Contains(x.pattern, h.user.Name) {
			naming = append(naming, x)
		}
	}
	read, write := honeytokenUse(h.account.AccountID, h.user)
	st.seesRead, st.seesWrite = firstSeeing(naming, read, h.account.AccountID), firstSeeing(naming, write, h.account.AccountID)
	st.unknown = al.unknown
	return st
}

// honeytoken checks that one honeytoken user has a key to leak and that
// its read and write calls raise an alert through a filter or rule naming it.
func honeytoken(e *catalog.Eval, h foundHoneytoken) {
	u, st := h.user, assessHoneytoken(e.Snap, h)
	who := "honeytoken user " + u.Name + " of account " + accountLabel(h.account)
	switch {
	case st.keyless:
		e.Fail(u.Arn, "%s has no active access key to plant: create one", who)
	case st.trailsUnread:
		e.Errorf(u.Arn, "cloudtrail was not collected in account %s", accountLabel(h.account))
	case st.alerted():
		e.Pass(u.Arn, "%s: its use raises an alert through %s", who, describe([]*alerter{st.seesRead, st.seesWrite}))
	case len(st.unknown) > 0:
		e.Errorf(u.Arn, "cannot tell whether using %s raises an alert: %s", who, strings.Join(st.unknown, "; "))
	case st.seesWrite != nil:
		e.Fail(u.Arn, "%s: only its write calls raise an alert, not read-only ones such as sts:GetCallerIdentity "+
			"(an EventBridge rule needs the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)", who)
	default:
		e.Fail(u.Arn, "%s: no metric filter with an alarm nor EventBridge rule with a target names it", who)
	}
}

// ---- Apply ------------------------------------------------------------------

// The ops of detection.honeytokens.
const (
	opHoneytokenUser = "honeytoken-user"
	opHoneytokenKey  = "honeytoken-key"
	opHoneytokenRule = "honeytoken-rule"
)

// honeytokenSpec names the honeytoken user of opHoneytokenUser and
// opHoneytokenKey. The plan says only that a key will exist: its secret is
// never seen by the plan, the log or the disk.
type honeytokenSpec struct {
	User string `json:"user"`
}

// planHoneytokens gives each failing honeytoken what it lacks. With none
// anywhere, it creates the first declared one (or the default) in the
// security account, where a rule on the default bus can alert the alert
// topic directly; a honeytoken elsewhere that raises no alert is left to a
// person, as alerting from its account needs forwarding to that topic.
func planHoneytokens(p *catalog.Planner) {
	if len(p.Failing()) == 0 {
		return
	}
	sec := p.Designated("security")
	if sec == nil {
		p.Here().Block("", "apply makes and alerts on honeytokens in the security account: designate one (organization.security_account)")
		return
	}
	names := honeytokenUsers(p.Settings)
	found, uncollected := honeytokensIn(p.Snap, names)
	var inSec []string // the honeytokens of the security account, as IAM spells them
	alertInSec := false
	for _, h := range found {
		if h.account == sec {
			inSec = append(inSec, h.user.Name)
		}
		st := assessHoneytoken(p.Snap, h)
		w := p.At(h.account.AccountID, "")
		switch {
		case st.fullSlots:
			w.Block(h.user.Arn, "honeytoken user %s has two inactive access keys, so none can be added: activate or delete one", h.user.Name)
		case st.keyless:
			w.Create(opHoneytokenKey, honeytokenKeyResource(h.user.Arn), honeytokenSpec{User: h.user.Name})
		}
		switch {
		case st.alerted():
		case st.trailsUnread:
			w.Block(h.user.Arn, "cannot tell whether using honeytoken user %s raises an alert: cloudtrail was not collected in account %s",
				h.user.Name, accountLabel(h.account))
		case len(st.unknown) > 0:
			w.Block(h.user.Arn, "cannot tell whether using honeytoken user %s raises an alert: %s", h.user.Name, strings.Join(st.unknown, "; "))
		case h.account == sec:
			alertInSec = true
		default:
			w.Block(h.user.Arn, "honeytoken user %s of account %s raises no alert: apply alerts only on honeytokens of the security "+
				"account %s; alert on it from its account, or declare one of the security account", h.user.Name, accountLabel(h.account), accountLabel(sec))
		}
	}
	if len(found) == 0 {
		if len(uncollected) > 0 {
			blockFailing(p)
			return
		}
		w := p.At(sec.AccountID, "")
		user := iamUserARN(p.Settings.HomeRegion, sec.AccountID, names[0])
		w.Create(opHoneytokenUser, user, honeytokenSpec{User: names[0]})
		w.Create(opHoneytokenKey, honeytokenKeyResource(user), honeytokenSpec{User: names[0]}, w.Ref(user))
		inSec, alertInSec = append(inSec, names[0]), true
	}
	if alertInSec {
		slices.Sort(inSec)
		planHoneytokenRule(p, sec, inSec)
	}
}

func iamUserARN(region, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:user/%s", partitionOf(region), account, name)
}

func honeytokenKeyResource(user string) string { return user + "/access-key" }

// planHoneytokenRule creates, or repairs, the rule of the security
// account's home region (the alert topic's) that names its honeytokens and
// publishes to the alert topic.
func planHoneytokenRule(p *catalog.Planner, sec *snapshot.Account, names []string) {
	s, home := p.Settings, p.Settings.HomeRegion
	pattern, _ := json.Marshal(map[string]any{"detail": map[string]any{"userIdentity": map[string]any{"userName": names}}})
	topic := topicARN(s, sec.AccountID, alertTopic(s))
	want := eventRule{Name: honeytokenRule(s), Description: "Any use of a honeytoken's credentials", Pattern: string(pattern),
		State: string(ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents), Target: topic, Tags: catalog.ManagedTags(nil)}
	w := p.At(sec.AccountID, home)
	arn := fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", partitionOf(home), home, sec.AccountID, want.Name)
	if r := sec.Regions[home]; r != nil && r.EventBridge != nil {
		if i := slices.IndexFunc(r.EventBridge.Rules, func(r snapshot.EventRule) bool { return r.Name == want.Name }); i >= 0 {
			w.Update(opHoneytokenRule, arn, r.EventBridge.Rules[i], want, w.Ref(topic))
			return
		}
	}
	w.Create(opHoneytokenRule, arn, want, w.Ref(topic))
}

type honeytokenUserWriter interface {
	CreateUser(context.Context, *iam.CreateUserInput, ...func(*iam.Options)) (*iam.CreateUserOutput, error)
}

// createHoneytokenUser creates the user with no policy, bounded by
// AWSDenyAll so that a policy attached to it later grants nothing either.
func createHoneytokenUser(ctx context.Context, api honeytokenUserWriter, partition string, u honeytokenSpec) error {
	_, err := api.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.User), Tags: managedTagList(iamTag),
		PermissionsBoundary: aws.String("arn:" + partition + ":iam::aws:policy/AWSDenyAll")})
	if hasCode(err, "EntityAlreadyExists") {
		return nil
	}
	return err
}

type accessKeyWriter interface {
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
}

// ensureHoneytokenKey gives the user an active access key unless it has
// one (a re-run must not make a second). The response, which holds the
// secret, is dropped unread.
func ensureHoneytokenKey(ctx context.Context, api accessKeyWriter, u honeytokenSpec) error {
	out, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(u.User)})
	if err != nil {
		return notYet(err) // the user may be just created
	}
	if slices.ContainsFunc(out.AccessKeyMetadata, func(k iamtypes.AccessKeyMetadata) bool { return k.Status == iamtypes.StatusTypeActive }) {
		return nil
	}
	_, err = api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(u.User)})
	return err
}

// honeytokenUse is what an intruder's first calls with the key look like:
// a read-only identity check and a (denied) write.
func honeytokenUse(account string, u snapshot.User) (read, write sampleEvent) {
	id := map[string]any{"type": "IAMUser", "userName": u.Name, "arn": u.Arn, "accountId": account,
		"principalId": "AIDAHONEYTOKEN", "accessKeyId": "AKIAHONEYTOKEN"}
	return sample("sts", "GetCallerIdentity", "userIdentity", id, "readOnly", true, "recipientAccountId", account),
		sample("iam", "CreateUser", "userIdentity", id, "errorCode", "AccessDenied", "recipientAccountId", account)
}
