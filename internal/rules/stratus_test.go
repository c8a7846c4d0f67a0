package rules

import (
	"cmp"
	"fmt"
	"github.com/secure-baseline/baseline/internal/testutil/shareddata"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stratusExpected lists, for every Stratus Red Team detonation log, the
// technique rules (rules referencing a Stratus technique) that must fire on
// it, and no other technique rule may. Change-monitoring rules that also fire
// (CloudTrail configuration changed on cloudtrail-stop, bursts of denied
// calls...) are not listed and do not count as detecting the technique.
var stratusExpected = map[string][]string{
	"aws.credential-access.ec2-get-password-data": {"9116c02e-84e6-4ffa-bd21-ca0fc0eb2b29"}, // passwords for many instances
	"aws.credential-access.ec2-steal-instance-credentials": {
		"548fbbdd-1165-4253-901e-7ac56786b231", // instance credentials from an IAM user's address
		"7b1be5e7-d2f2-4c70-9dd2-bff4367493ad", // shell commands through SSM (how the detonation reads IMDS)
	},
	"aws.credential-access.secretsmanager-batch-retrieve-secrets": {"31c716f9-adcd-4d73-b1a4-e2346fc6deed"}, // bulk by filter
	"aws.credential-access.secretsmanager-retrieve-secrets":       {"39398fb5-3825-46fd-bf99-9204e03eff35"}, // many secrets
	"aws.credential-access.ssm-retrieve-securestring-parameters":  {"8fb6bcdb-5420-47fe-83fe-1bea712dd697"}, // many SecureStrings
	"aws.defense-evasion.cloudtrail-delete":                       {"edb9c669-db2a-4bbc-a6d9-f39bb57bb8b7"}, // trail stopped or deleted
	"aws.defense-evasion.cloudtrail-event-selectors":              {"58cf840a-c880-4b59-bedb-8d16219b606c"}, // management events excluded
	"aws.defense-evasion.cloudtrail-stop":                         {"edb9c669-db2a-4bbc-a6d9-f39bb57bb8b7"},
	"aws.defense-evasion.dns-delete-logs":                         {"dd81dca3-9c77-44b8-92f5-52019db0afef"}, // resolver query logging
	"aws.defense-evasion.organizations-leave":                     {"bc4ef668-258b-4ec2-bebc-2eee04b5ae45"}, // leave attempt
	"aws.defense-evasion.vpc-remove-flow-logs":                    {"6bd399fa-7078-49d8-8389-6d7dd83eb676"}, // absence: VPC kept
	"aws.discovery.ec2-download-user-data":                        {"b2875baa-e274-4e67-81f6-add1fe6f98a0"}, // user data of many instances
	"aws.execution.ec2-launch-unusual-instances":                  {"3dd3b919-4cd9-4b79-8f82-0e546f7ae512"}, // GPU instance types
	"aws.execution.ec2-user-data":                                 {"769b32f8-1123-4b5c-b6f3-4b59050aa7f4"}, // stop, then user data
	"aws.execution.ssm-send-command":                              {"7b1be5e7-d2f2-4c70-9dd2-bff4367493ad"},
	"aws.execution.ssm-start-session":                             {"7217dc4d-542b-49f2-b66c-baec51afe260"}, // sessions on many instances
	"aws.exfiltration.ec2-security-group-open-port-22-ingress":    {"475b4edc-f40e-4595-b3ac-b5a2377db53b"},
	"aws.exfiltration.ec2-share-ami":                              {"4faa8ecc-5566-42c3-96a2-ddcf8abb0cac"},
	"aws.exfiltration.ec2-share-ebs-snapshot":                     {"b94ccd56-99a1-4458-8b73-baeb87a8c351"},
	"aws.exfiltration.rds-share-snapshot":                         {"96ff0811-e2a1-4e2e-a94d-fc0e51ba8c28"},
	"aws.impact.bedrock-invoke-model":                             {"a6cd5e62-abd2-4583-ab0e-a9e3dd2eec9e"}, // model access enabled
	"aws.initial-access.console-login-without-mfa":                {"528d3cec-4b56-4d8f-9c38-cbdc16435577"},
	"aws.lateral-movement.ec2-instance-connect":                   {"95b60afa-78f2-48da-9ac6-a9eee8d3398e"},
	"aws.lateral-movement.ec2-serial-console-send-ssh-public-key": {"a938e090-dd0e-4d41-af7a-f8ceab219466"},
	"aws.persistence.iam-backdoor-role":                           {"6ad9723e-fd03-4f9d-9430-8328b4e83abb"}, // trust to another account
	"aws.persistence.iam-backdoor-user":                           {"c5208966-2a02-46fc-a61e-c39c66485eb7"}, // key for another user
	"aws.persistence.iam-create-admin-user": {
		"61939200-fc9a-4ce8-ac50-e9d430478e01", // administrator permissions granted
		"c5208966-2a02-46fc-a61e-c39c66485eb7",
	},
	"aws.persistence.iam-create-backdoor-role": {
		"61939200-fc9a-4ce8-ac50-e9d430478e01",
		"6ad9723e-fd03-4f9d-9430-8328b4e83abb",
	},
	"aws.persistence.iam-create-user-login-profile":          {"6c23775f-ea06-49b5-a6ee-122d21570a80"}, // password for another user
	"aws.persistence.lambda-backdoor-function":               {"8895f180-8992-435b-a968-b5ddb238fb27"}, // public invoke permission
	"aws.persistence.lambda-layer-extension":                 {"eca6a944-527d-49e3-ad82-09d9792e2700"},
	"aws.persistence.lambda-overwrite-code":                  {"319f80b4-3558-4d2d-8c20-bafeb937b13e"},
	"aws.persistence.rolesanywhere-create-trust-anchor":      {"7a02b585-733a-4801-b7a6-41b6ddae7e29"},
	"aws.persistence.sts-federation-token":                   {"d79beae9-fdb3-481c-8d95-9b8875a594b3"},
	"aws.privilege-escalation.iam-update-user-login-profile": {"6c23775f-ea06-49b5-a6ee-122d21570a80"},
}

// cloudTrailBlind lists the detonations CloudTrail cannot reveal, which are
// allowed not to fire (at most 2), with the reason. Every technique of the
// data set leaves a management event the pack detects, so none is excused.
var cloudTrailBlind = map[string]string{}

func TestStratusRedTeam(t *testing.T) {
	dir := shareddata.Dir(t, "cloudtrail/stratus-red-team")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 35 || len(stratusExpected) != 35 {
		t.Fatalf("%d detonation logs, %d expected entries, want 35", len(files), len(stratusExpected))
	}
	if len(cloudTrailBlind) > 2 {
		t.Fatalf("%d techniques excused, at most 2 may be", len(cloudTrailBlind))
	}
	rules := builtinRules(t)
	detected := 0
	for _, file := range files {
		technique := strings.TrimSuffix(filepath.Base(file), ".json")
		want, ok := stratusExpected[technique]
		if !ok {
			t.Errorf("%s: not in the table", technique)
			continue
		}
		hits := detect(t, rules, shareddata.Records(t, file))
		var got, claiming, others []string
		for _, id := range slices.Sorted(maps.Keys(hits)) {
			r := ruleByID(t, rules, id)
			switch {
			case slices.Contains(techniques(r), technique):
				claiming = append(claiming, id)
				got = append(got, id)
			case len(techniques(r)) > 0:
				got = append(got, id)
			default:
				others = append(others, fmt.Sprintf("%s×%d", r.Title, hits[id]))
			}
		}
		if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s: technique rules fired %v, want %v", technique, got, want)
		}
		// Only a rule written for this technique detects it: change
		// monitoring rules and other techniques' rules do not count.
		if len(claiming) > 0 {
			detected++
		} else if _, excused := cloudTrailBlind[technique]; !excused {
			t.Errorf("%s: no rule for this technique fired (other alerts: %v)", technique, others)
		}
		t.Logf("%-60s technique rules %d, other alerts %v", technique, len(claiming), others)
	}
	if detected < 33 || detected < len(files)-len(cloudTrailBlind) {
		t.Errorf("%d of %d detonations detected by their technique's rules", detected, len(files))
	}
}

// TestTrailDiscoverFalsePositives runs the pack over each TrailDiscover
// sample on its own and requires silence on the read-only Describe*/List*
// samples, which are benign by any reading.
func TestTrailDiscoverFalsePositives(t *testing.T) {
	dir := shareddata.Dir(t, "cloudtrail/traildiscover")
	files, err := filepath.Glob(filepath.Join(dir, "*.json.cloudtrail"))
	if err != nil {
		t.Fatal(err)
	}
	rules := builtinRules(t)
	total := map[string]int{}
	benign := 0
	for _, file := range files {
		records := shareddata.Records(t, file)
		hits := detect(t, rules, records)
		for id, n := range hits {
			total[id] += n
		}
		if len(records) == 0 || slices.ContainsFunc(records, func(r map[string]any) bool { return !readOnlyListing(r) }) {
			continue
		}
		benign++
		for id := range hits {
			t.Errorf("%s: benign read-only sample fired %q", filepath.Base(file), ruleByID(t, rules, id).Title)
		}
	}
	if benign < 100 {
		t.Errorf("only %d read-only Describe/List samples: the selection is broken", benign)
	}
	ids := slices.SortedFunc(maps.Keys(total), func(a, b string) int { return cmp.Compare(total[b], total[a]) })
	for _, id := range ids {
		t.Logf("%4d  %s", total[id], ruleByID(t, rules, id).Title)
	}
	t.Logf("%d samples, %d benign read-only ones silent", len(files), benign)
}

func readOnlyListing(rec map[string]any) bool {
	name, _ := rec["eventName"].(string)
	return rec["readOnly"] == true && (strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "List"))
}
