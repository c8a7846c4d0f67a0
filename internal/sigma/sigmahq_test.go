package sigma

import (
	"github.com/secure-baseline/baseline/internal/testutil/shareddata"
	"path/filepath"
	"slices"
	"testing"
)

func TestSigmaHQRulesLoad(t *testing.T) {
	rules, byFile := loadSigmaHQ(t)
	files, err := filepath.Glob(filepath.Join(shareddata.Dir(t, "sigma-aws-cloudtrail"), "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 57 || len(rules) != len(files) {
		t.Fatalf("loaded %d rules from %d files, want 57", len(rules), len(files))
	}
	for _, f := range files {
		r := byFile[filepath.Base(f)]
		if r == nil || r.detection == nil || r.LogSource.Service != "cloudtrail" || len(r.Tags) == 0 {
			t.Errorf("%s: not loaded as a CloudTrail detection rule", filepath.Base(f))
		}
	}
	rs, err := NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	// Only the rules that pin neither eventName nor eventSource run on every
	// event.
	var unindexed []string
	for _, p := range rs.unindexed {
		unindexed = append(unindexed, rs.rules[p].File)
	}
	slices.Sort(unindexed)
	want := []string{"aws_cloudtrail_imds_malicious_usage.yml", "aws_cloudtrail_pua_trufflehog.yml",
		"aws_root_account_usage.yml", "aws_sts_assumerole_misuse.yml"}
	if !slices.Equal(unindexed, want) {
		t.Errorf("unindexed rules = %v, want %v", unindexed, want)
	}
}

// TestSigmaHQRuleSemantics checks tricky SigmaHQ rules against hand-made
// events: one that must match and a near miss that must not.
func TestSigmaHQRuleSemantics(t *testing.T) {
	_, byFile := loadSigmaHQ(t)
	tests := []struct {
		file, match, miss string
	}{
		{ // null check through "1 of selection_status_*"
			"aws_cloudtrail_bucket_deleted.yml",
			`{"eventName":"DeleteBucket","errorCode":null}`,
			`{"eventName":"DeleteBucket","errorCode":"NoSuchBucket"}`,
		},
		{ // pattern 'NO' vs value "No"; nested fields
			"aws_cloudtrail_console_login_success_without_mfa.yml",
			`{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"},"responseElements":{"ConsoleLogin":"Success"}}`,
			`{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"Yes"},"responseElements":{"ConsoleLogin":"Success"}}`,
		},
		{ // value list
			"aws_cloudtrail_disable_logging.yml",
			`{"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail"}`,
			`{"eventSource":"cloudtrail.amazonaws.com","eventName":"StartLogging"}`,
		},
		{ // 'false' vs JSON false, two "1 of" groups
			"aws_cloudtrail_guardduty_detector_deleted_or_updated.yml",
			`{"eventSource":"guardduty.amazonaws.com","eventName":"UpdateDetector","requestParameters":{"enable":false},"errorCode":"Success"}`,
			`{"eventSource":"guardduty.amazonaws.com","eventName":"UpdateDetector","requestParameters":{"enable":true}}`,
		},
		{ // re and "not 1 of" over a list of maps
			"aws_cloudtrail_imds_malicious_usage.yml",
			`{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"},"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","sourceIPAddress":"203.0.113.9"}`,
			`{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"},"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","sourceIPAddress":"AWS Internal"}`,
		},
		{ // contains with "${...}" literally, under "not 1 of"
			"aws_console_getsignintoken.yml",
			`{"eventSource":"signin.amazonaws.com","eventName":"GetSigninToken","userAgent":"Mozilla/5.0"}`,
			`{"eventSource":"signin.amazonaws.com","eventName":"GetSigninToken","userAgent":"Jersey/${project.version} (HttpUrlConnection 17.0.12)"}`,
		},
		{ // contains over an object
			"aws_disable_bucket_versioning.yml",
			`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"bucketName":"b","VersioningConfiguration":{"Status":"Suspended"}}}`,
			`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"bucketName":"b","VersioningConfiguration":{"Status":"Enabled"}}}`,
		},
		{ // contains '*' on absent fields, contains over an object, not 1 of filter*
			"aws_ec2_vm_export_failure.yml",
			`{"eventSource":"ec2.amazonaws.com","eventName":"CreateInstanceExportTask","responseElements":{"exportTask":{"state":"active"}}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"CreateInstanceExportTask","errorCode":"Client.UnauthorizedOperation","responseElements":null}`,
		},
		{ // path through an array of objects into an array of strings
			"aws_ecs_task_definition_cred_endpoint_query.yml",
			`{"eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition","requestParameters":{"containerDefinitions":[{"name":"a","command":["sleep"]},{"name":"b","command":["sh","-c","curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]}]}}`,
			`{"eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition","requestParameters":{"containerDefinitions":[{"name":"a","command":["sleep"]}]}}`,
		},
		{ // "and not filter"
			"aws_enum_buckets.yml",
			`{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"IAMUser"}}`,
			`{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"AssumedRole"}}`,
		},
		{ // contains|all over an object, matching a JSON policy embedded in a string, with '<' unescaped
			"aws_iam_s3browser_templated_s3_bucket_policy_creation.yml",
			`{"eventSource":"iam.amazonaws.com","eventName":"PutUserPolicy","userAgent":"S3 Browser 11.4.5","requestParameters":{"userName":"u","policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":[\"arn:aws:s3:::<YOUR-BUCKET-NAME>/*\"]}]}"}}`,
			`{"eventSource":"iam.amazonaws.com","eventName":"PutUserPolicy","userAgent":"S3 Browser 11.4.5","requestParameters":{"userName":"u","policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":[\"arn:aws:s3:::prod-data/*\"]}]}"}}`,
		},
		{ // startswith on eventName; contains '*' needs a non-empty layers array
			"aws_new_lambda_layer_attached.yml",
			`{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"layers":["arn:aws:lambda:us-east-1:1:layer:x:1"]}}`,
			`{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"layers":[]}}`,
		},
		{ // 'true' vs JSON true
			"aws_rds_public_db_restore.yml",
			`{"eventSource":"rds.amazonaws.com","eventName":"RestoreDBInstanceFromDBSnapshot","responseElements":{"publiclyAccessible":true}}`,
			`{"eventSource":"rds.amazonaws.com","eventName":"RestoreDBInstanceFromDBSnapshot","responseElements":{"publiclyAccessible":false}}`,
		},
		{ // nested contains '*'
			"aws_rds_change_master_password.yml",
			`{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance","responseElements":{"pendingModifiedValues":{"masterUserPassword":"****"}}}`,
			`{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance","responseElements":{"pendingModifiedValues":{}}}`,
		},
		{ // "and not" without eventName: an unindexed rule
			"aws_root_account_usage.yml",
			`{"userIdentity":{"type":"Root"},"eventType":"AwsApiCall"}`,
			`{"userIdentity":{"type":"Root"},"eventType":"AwsServiceEvent"}`,
		},
		{ // fieldref, case-insensitive: the filter removes self-service changes
			"aws_update_login_profile.yml",
			`{"eventSource":"iam.amazonaws.com","eventName":"UpdateLoginProfile","userIdentity":{"arn":"arn:aws:iam::1:user/admin"},"requestParameters":{"userName":"victim"}}`,
			`{"eventSource":"iam.amazonaws.com","eventName":"UpdateLoginProfile","userIdentity":{"arn":"Victim"},"requestParameters":{"userName":"victim"}}`,
		},
		{ // "1 of selection_*": each selection must hold on its own
			"aws_susp_saml_activity.yml",
			`{"eventSource":"iam.amazonaws.com","eventName":"UpdateSAMLProvider"}`,
			`{"eventSource":"sts.amazonaws.com","eventName":"UpdateSAMLProvider"}`,
		},
		{ // two lists in one selection
			"aws_sso_idp_change.yml",
			`{"eventSource":"sso.amazonaws.com","eventName":"DisassociateDirectory"}`,
			`{"eventSource":"sso-oidc.amazonaws.com","eventName":"DisassociateDirectory"}`,
		},
		{ // case differences in values
			"aws_cloudtrail_security_group_change_ingress_egress.yml",
			`{"eventSource":"EC2.amazonaws.com","eventName":"authorizesecuritygroupingress"}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeSecurityGroups"}`,
		},
		{ // The rule compares userIdentity.arn with the literal text
			// "responseElements.accessKey.userName" (it lacks |fieldref), so
			// its filter never applies to real events.
			"aws_iam_backdoor_users_keys.yml",
			`{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","userIdentity":{"arn":"arn:aws:iam::1:user/alice"},"responseElements":{"accessKey":{"userName":"alice"}}}`,
			`{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","userIdentity":{"arn":"x responseElements.accessKey.userName"}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			r := byFile[tc.file]
			if r == nil {
				t.Fatalf("rule %s not loaded", tc.file)
			}
			if !r.Match(decodeEvent(t, tc.match)) {
				t.Errorf("should match %s", tc.match)
			}
			if r.Match(decodeEvent(t, tc.miss)) {
				t.Errorf("should not match %s", tc.miss)
			}
		})
	}
}

type sample struct {
	file   string
	events []*MapEvent
}

func loadSamples(tb testing.TB) []sample {
	tb.Helper()
	var files []string
	for _, pattern := range []string{"stratus-red-team/*.json", "traildiscover/*.json.cloudtrail"} {
		m, err := filepath.Glob(filepath.Join(shareddata.Dir(tb, "cloudtrail"), pattern))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 600 {
		tb.Fatalf("found %d CloudTrail sample files, expected over 600", len(files))
	}
	var out []sample
	for _, f := range files {
		s := sample{file: filepath.Join(filepath.Base(filepath.Dir(f)), filepath.Base(f))}
		for _, rec := range shareddata.Records(tb, f) {
			s.events = append(s.events, &MapEvent{Fields: rec})
		}
		out = append(out, s)
	}
	return out
}

// TestSigmaHQOnSamples runs the SigmaHQ rules over real CloudTrail samples.
func TestSigmaHQOnSamples(t *testing.T) {
	rules, _ := loadSigmaHQ(t)
	rs, err := NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	hits := map[string][]string{} // sample file -> rule files matched
	for _, s := range loadSamples(t) {
		for _, ev := range s.events {
			for _, r := range rs.Match(ev, nil) {
				if !slices.Contains(hits[s.file], r.File) {
					hits[s.file] = append(hits[s.file], r.File)
				}
			}
		}
	}
	tests := []struct {
		sample, rule string
		want         bool
	}{
		{"stratus-red-team/aws.defense-evasion.cloudtrail-stop.json", "aws_cloudtrail_disable_logging.yml", true},
		{"stratus-red-team/aws.defense-evasion.cloudtrail-delete.json", "aws_cloudtrail_disable_logging.yml", true},
		{"stratus-red-team/aws.initial-access.console-login-without-mfa.json", "aws_cloudtrail_console_login_success_without_mfa.yml", true},
		{"stratus-red-team/aws.initial-access.console-login-without-mfa.json", "aws_cloudtrail_console_login_failed_authentication.yml", false},
		{"stratus-red-team/aws.defense-evasion.vpc-remove-flow-logs.json", "aws_cloudtrail_vpc_flow_logs_deleted.yml", true},
		{"stratus-red-team/aws.execution.ssm-send-command.json", "aws_cloudtrail_ssm_malicious_usage.yml", true},
		{"stratus-red-team/aws.persistence.lambda-layer-extension.json", "aws_new_lambda_layer_attached.yml", true},
		{"stratus-red-team/aws.privilege-escalation.iam-update-user-login-profile.json", "aws_update_login_profile.yml", true},
		{"stratus-red-team/aws.exfiltration.ec2-share-ebs-snapshot.json", "aws_snapshot_backup_exfiltration.yml", true},
		{"stratus-red-team/aws.exfiltration.ec2-security-group-open-port-22-ingress.json", "aws_cloudtrail_security_group_change_ingress_egress.yml", true},
		{"traildiscover/IAM-UpdateSAMLProvider.json.cloudtrail", "aws_susp_saml_activity.yml", true},
		{"traildiscover/SecurityTokenService-GetSessionToken.json.cloudtrail", "aws_sts_getsessiontoken_misuse.yml", true},
		{"traildiscover/RDS-ModifyDBInstance.json.cloudtrail", "aws_rds_change_master_password.yml", true},
		// Failed calls are not successes.
		{"traildiscover/DeleteBucket.json.cloudtrail", "aws_cloudtrail_bucket_deleted.yml", false},
		{"traildiscover/DeleteFlowLogs.json.cloudtrail", "aws_cloudtrail_vpc_flow_logs_deleted.yml", false},
		{"traildiscover/GuardDuty-DeleteDetector.json.cloudtrail", "aws_cloudtrail_guardduty_detector_deleted_or_updated.yml", false},
		{"traildiscover/EC2-CreateInstanceExportTask.json.cloudtrail", "aws_ec2_vm_export_failure.yml", false},
		// Filtered out or not matching the value.
		{"traildiscover/GetSigninToken.json.cloudtrail", "aws_console_getsignintoken.yml", false},
		{"traildiscover/PutBucketVersioning.json.cloudtrail", "aws_disable_bucket_versioning.yml", false},
		{"stratus-red-team/aws.defense-evasion.cloudtrail-event-selectors.json", "aws_cloudtrail_disable_logging.yml", false},
	}
	for _, tc := range tests {
		if _, ok := hits[tc.sample]; !ok && tc.want {
			t.Errorf("%s: no rule matched", tc.sample)
			continue
		}
		if got := slices.Contains(hits[tc.sample], tc.rule); got != tc.want {
			t.Errorf("%s: %s matched = %v, want %v (matched %v)", tc.sample, tc.rule, got, tc.want, hits[tc.sample])
		}
	}
}
