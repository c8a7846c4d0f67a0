package controls

import (
	"slices"
	"strings"

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
		"baseline.yaml (audit.honeytoken_users), and alert on any call it makes:\n" +
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
		if len(e.Settings.HoneytokenUsers) == 0 {
			e.Fail("", "no honeytoken user is declared: create one and list it in baseline.yaml (audit.honeytoken_users)")
			return
		}
		var uncollected []string
		found := false
		for _, a := range e.Snap.Accounts {
			if a.Global.IAM == nil {
				uncollected = append(uncollected, accountLabel(a))
				continue
			}
			for _, u := range a.Global.IAM.Users {
				if e.Settings.IsHoneytoken(u.Name) {
					found = true
					honeytoken(e, a, u)
				}
			}
		}
		switch {
		case found:
		case len(uncollected) > 0:
			e.Errorf("", "no declared honeytoken user (%s) was found, and IAM was not read in %s",
				listOf(e.Settings.HoneytokenUsers), listOf(uncollected))
		default:
			e.Fail("", "no declared honeytoken user (%s) exists in the assessed accounts: create one", listOf(e.Settings.HoneytokenUsers))
		}
	},
})

// honeytoken checks that one honeytoken user has a key to leak and that
// its read and write calls raise an alert through a filter or rule naming it.
func honeytoken(e *catalog.Eval, a *snapshot.Account, u snapshot.User) {
	who := "honeytoken user " + u.Name + " of account " + accountLabel(a)
	creds := a.Global.IAM.Credentials
	if i := slices.IndexFunc(creds, func(c snapshot.CredentialEntry) bool { return c.User == u.Name }); i >= 0 &&
		!creds[i].AccessKeys[0].Active && !creds[i].AccessKeys[1].Active {
		e.Fail(u.Arn, "%s has no active access key to plant: create one", who)
		return
	}
	trails, ok := trailsCovering(e.Snap, a)
	if !ok {
		e.Errorf(u.Arn, "cloudtrail was not collected in account %s", accountLabel(a))
		return
	}
	al := alertingFor(e.Snap, a, trails)
	var naming []*alerter
	for _, x := range al.all() {
		if strings.Contains(x.pattern, u.Name) {
			naming = append(naming, x)
		}
	}
	read, write := honeytokenUse(a.AccountID, u)
	seesRead, seesWrite := firstSeeing(naming, read, a.AccountID), firstSeeing(naming, write, a.AccountID)
	switch {
	case seesRead != nil && seesWrite != nil:
		e.Pass(u.Arn, "%s: its use raises an alert through %s", who, describe([]*alerter{seesRead, seesWrite}))
	case len(al.unknown) > 0:
		e.Errorf(u.Arn, "cannot tell whether using %s raises an alert: %s", who, strings.Join(al.unknown, "; "))
	case seesWrite != nil:
		e.Fail(u.Arn, "%s: only its write calls raise an alert, not read-only ones such as sts:GetCallerIdentity "+
			"(an EventBridge rule needs the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)", who)
	default:
		e.Fail(u.Arn, "%s: no metric filter with an alarm nor EventBridge rule with a target names it", who)
	}
}

// honeytokenUse is what an intruder's first calls with the key look like:
// a read-only identity check and a (denied) write.
func honeytokenUse(account string, u snapshot.User) (read, write sampleEvent) {
	id := map[string]any{"type": "IAMUser", "userName": u.Name, "arn": u.Arn, "accountId": account,
		"principalId": "AIDAHONEYTOKEN", "accessKeyId": "AKIAHONEYTOKEN"}
	return sample("sts", "GetCallerIdentity", "userIdentity", id, "readOnly", true, "recipientAccountId", account),
		sample("iam", "CreateUser", "userIdentity", id, "errorCode", "AccessDenied", "recipientAccountId", account)
}
