package rules

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/sigma"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestBuiltinRulesAreComplete(t *testing.T) {
	rules := builtinRules(t)
	if len(rules) < 60 {
		t.Fatalf("%d built-in rules, want the whole pack", len(rules))
	}
	corr, err := sigma.NewCorrelator(rules)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sigma.NewRuleSet(rules); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, r := range rules {
		where := r.File + " " + r.ID
		if !uuidRE.MatchString(r.ID) {
			t.Errorf("%s: id is not a random UUID", where)
		}
		if first, dup := seen[r.ID]; dup {
			t.Errorf("%s: id also used in %s", where, first)
		}
		seen[r.ID] = r.File
		if r.Title == "" || r.Description == "" || r.Author != "baseline" || r.Date == "" {
			t.Errorf("%s: title, description, author and date are required", where)
		}
		if !slices.Contains([]string{"stable", "test", "experimental"}, r.Status) {
			t.Errorf("%s: status %q", where, r.Status)
		}
		if !slices.Contains([]string{"informational", "low", "medium", "high", "critical"}, r.Level) {
			t.Errorf("%s: level %q", where, r.Level)
		}
		if len(r.AttackTactics()) == 0 || len(r.AttackTechniques()) == 0 {
			t.Errorf("%s: needs ATT&CK tactic and technique tags, has %v", where, r.Tags)
		}
		if len(r.FalsePositives) == 0 || slices.ContainsFunc(r.FalsePositives, func(fp string) bool { return len(fp) < 20 }) {
			t.Errorf("%s: false positives need a real note, have %q", where, r.FalsePositives)
		}
		if r.Correlation == nil && (r.LogSource.Product != "aws" || r.LogSource.Service != "cloudtrail") {
			t.Errorf("%s: logsource %+v", where, r.LogSource)
		}
		// Rules that only feed correlations are informational and silent;
		// every other rule alerts.
		if (r.Level == "informational") == corr.Generates(r.ID) {
			t.Errorf("%s: level %s but reported on its own: %v", where, r.Level, corr.Generates(r.ID))
		}
		if strings.HasPrefix(r.File, "pack/stratus/") && r.Level != "informational" && len(techniques(r)) == 0 {
			t.Errorf("%s: a technique rule must reference the Stratus techniques it detects", where)
		}
	}
}

func TestBuiltinIsCached(t *testing.T) {
	a, b := builtinRules(t), builtinRules(t)
	if a[0] != b[0] {
		t.Error("Builtin parsed the pack twice")
	}
	a[0] = nil
	if builtinRules(t)[0] == nil {
		t.Error("Builtin returned its own slice")
	}
}

// cisEvents are the events of each CIS monitoring metric filter (eventSource
// prefix:eventName, or a whole event for the field-based filters); every one
// must match a rule of its item.
var cisEvents = map[string][]map[string]any{
	"5.1": {
		{"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "errorCode": "Client.UnauthorizedOperation"},
		{"eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "errorCode": "AccessDenied"},
	},
	"5.2": {{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
		"userIdentity": map[string]any{"type": "IAMUser"}, "additionalEventData": map[string]any{"MFAUsed": "No"},
		"responseElements": map[string]any{"ConsoleLogin": "Success"}}},
	"5.3": {
		{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
			"userIdentity": map[string]any{"type": "Root"}, "responseElements": map[string]any{"ConsoleLogin": "Success"}},
		{"eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "eventType": "AwsApiCall", "userIdentity": map[string]any{"type": "Root"}},
	},
	"5.4": events("iam", "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
		"PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy",
		"DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"),
	"5.5": events("cloudtrail", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
	"5.6": {{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "errorMessage": "Failed authentication",
		"responseElements": map[string]any{"ConsoleLogin": "Failure"}}},
	"5.7": events("kms", "DisableKey", "ScheduleKeyDeletion"),
	"5.8": events("s3", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
		"DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"),
	"5.9": events("config", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"),
	"5.10": events("ec2", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
		"RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"),
	"5.11": events("ec2", "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
		"ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"),
	"5.12": events("ec2", "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
		"DeleteInternetGateway", "DetachInternetGateway"),
	"5.13": events("ec2", "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
		"DeleteRoute", "DisassociateRouteTable"),
	"5.14": events("ec2", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
		"DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
		"DisableVpcClassicLink", "EnableVpcClassicLink"),
	"5.15": events("organizations", "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
		"DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType",
		"EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
		"UpdatePolicy", "UpdateOrganizationalUnit"),
	"5.16": events("securityhub", "DisableSecurityHub", "BatchDisableStandards", "DeleteMembers"),
}

func events(service string, names ...string) []map[string]any {
	var out []map[string]any
	for _, n := range names {
		out = append(out, map[string]any{"eventSource": service + ".amazonaws.com", "eventName": n, "eventType": "AwsApiCall"})
	}
	return out
}

func TestCISMonitoring(t *testing.T) {
	rules := builtinRules(t)
	items := CISMonitoring()
	if len(items) != 16 || len(cisEvents) != 16 {
		t.Fatalf("%d CIS items, %d tested, want 5.1–5.16", len(items), len(cisEvents))
	}
	for _, item := range items {
		var covering []*sigma.Rule
		for _, id := range item.RuleIDs {
			covering = append(covering, ruleByID(t, rules, id))
		}
		for _, ev := range cisEvents[item.ID] {
			if !slices.ContainsFunc(covering, func(r *sigma.Rule) bool { return r.Match(&sigma.MapEvent{Fields: ev}) }) {
				t.Errorf("CIS %s %s: no rule matches %v", item.ID, item.Title, ev)
			}
		}
		// The monitoring.cis-alarms control can deploy these as EventBridge
		// rules; 5.1 excludes events and is only reported in bursts.
		for _, r := range covering {
			if _, ok := EventPattern(r); !ok && item.ID != "5.1" {
				t.Errorf("CIS %s: rule %q has no EventBridge pattern", item.ID, r.Title)
			}
		}
	}
}

func writeFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

const userRule = `title: Bucket deleted
id: 0f6f9e43-4c64-4d2e-9a55-6d3c2a1b9e01
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventSource: s3.amazonaws.com
    eventName: DeleteBucket
  condition: selection
level: medium
`

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	bad := filepath.Join(dir, "team", "bad.yaml")
	writeFile(t, good, userRule)
	writeFile(t, bad, "title: Broken\nid: 5b0f3c1e-8f7a-4c1e-9d7b-2f6e4a9c0d11\nlogsource: {product: aws}\ndetection:\n  selection:\n    eventName|nosuchmodifier: x\n  condition: selection\n")
	writeFile(t, filepath.Join(dir, "notes.txt"), "not a rule")

	rules, errs := Load(dir)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), bad+":6") {
		t.Fatalf("errs = %v, want one error at %s:6", errs, bad)
	}
	var e *sigma.Error
	if !errors.As(errs[0], &e) || e.File != bad || e.Line != 6 {
		t.Errorf("error %#v, want a *sigma.Error at %s:6", errs[0], bad)
	}
	builtins := builtinRules(t)
	if len(rules) != len(builtins)+1 || rules[len(rules)-1].ID != "0f6f9e43-4c64-4d2e-9a55-6d3c2a1b9e01" {
		t.Errorf("loaded %d rules, want the %d built-ins and the good user rule", len(rules), len(builtins))
	}
	ev := &sigma.MapEvent{Fields: map[string]any{"eventSource": "s3.amazonaws.com", "eventName": "DeleteBucket"}}
	if !rules[len(rules)-1].Match(ev) {
		t.Error("user rule does not match")
	}
}

func TestLoadRejectsBuiltinIDsAndDanglingCorrelations(t *testing.T) {
	builtin := ruleByID(t, builtinRules(t), "edb9c669-db2a-4bbc-a6d9-f39bb57bb8b7")
	dir := t.TempDir()
	clash := filepath.Join(dir, "clash.yml")
	writeFile(t, clash, strings.Replace(userRule, "0f6f9e43-4c64-4d2e-9a55-6d3c2a1b9e01", builtin.ID, 1))
	dangling := filepath.Join(dir, "dangling.yml")
	writeFile(t, dangling, `title: Many bucket deletions
id: 9d1c7f0e-2b4a-4e8f-8c6d-1a3b5c7d9e02
correlation:
  type: event_count
  rules: [no_such_rule]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition: {gte: 3}
level: high
`)
	rules, errs := Load(dir)
	if len(errs) != 2 {
		t.Fatalf("errs = %v, want a collision and a dangling correlation", errs)
	}
	if msg := errs[0].Error(); !strings.HasPrefix(msg, clash+":1") || !strings.Contains(msg, builtin.File) {
		t.Errorf("collision error %q must name %s and the built-in rule's file %s", msg, clash, builtin.File)
	}
	if msg := errs[1].Error(); !strings.HasPrefix(msg, dangling) || !strings.Contains(msg, "no_such_rule") {
		t.Errorf("correlation error %q", msg)
	}
	if len(rules) != len(builtinRules(t)) || !slices.Contains(rules, builtin) {
		t.Error("rejected user rules were loaded, or the built-in was replaced")
	}
}

func TestLoadMissingDir(t *testing.T) {
	rules, errs := Load(filepath.Join(t.TempDir(), "absent"))
	if len(errs) != 1 || !errors.Is(errs[0], os.ErrNotExist) {
		t.Errorf("errs = %v, want not-exist", errs)
	}
	if len(rules) != len(builtinRules(t)) {
		t.Error("built-ins must still load")
	}
}
