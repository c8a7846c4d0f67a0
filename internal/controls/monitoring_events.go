package controls

import (
	"strings"

	json "github.com/goccy/go-json"
)

// cisEvent is one CIS monitoring recommendation: the CloudTrail events that
// must raise an alert, as sample records every alerting filter or rule must
// match, and the benchmark's own metric filter pattern (shown in the manual
// steps, and matched by the samples in the tests).
type cisEvent struct {
	CIS   string
	Title string
	// Global events are only delivered to EventBridge in us-east-1.
	Global  bool
	Pattern string
	Samples []sampleEvent
}

// sampleEvent is a CloudTrail record, with its JSON text for term patterns.
type sampleEvent struct {
	Record map[string]any
	Text   string
}

// envelope wraps the record as EventBridge delivers it in account and region.
func (s sampleEvent) envelope(account, region string) map[string]any {
	source, _, _ := strings.Cut(s.Record["eventSource"].(string), ".")
	detailType := "AWS API Call via CloudTrail"
	if s.Record["eventName"] == "ConsoleLogin" {
		detailType = "AWS Console Sign In via CloudTrail"
	}
	return map[string]any{"version": "0", "source": "aws." + source, "detail-type": detailType,
		"account": account, "region": region, "detail": s.Record}
}

// readOnly events reach EventBridge only through rules in the state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
func (s sampleEvent) readOnly() bool { return s.Record["readOnly"] == true }

// sample builds a record: a call by an IAM user to service's event, with
// fields set by dotted path ("userIdentity.type").
func sample(service, name string, fields ...any) sampleEvent {
	r := map[string]any{
		"eventVersion": "1.09", "eventSource": service + ".amazonaws.com", "eventName": name,
		"eventType": "AwsApiCall", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.10", "readOnly": false,
		"recipientAccountId": "111122223333",
		"userIdentity": map[string]any{"type": "IAMUser", "userName": "alice", "accountId": "111122223333",
			"arn": "arn:aws:iam::111122223333:user/alice", "principalId": "AIDAEXAMPLE"},
	}
	for i := 0; i+1 < len(fields); i += 2 {
		setPath(r, fields[i].(string), fields[i+1])
	}
	text, _ := json.Marshal(r)
	return sampleEvent{Record: r, Text: string(text)}
}

func setPath(m map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		child, ok := m[k].(map[string]any)
		if !ok {
			child = map[string]any{}
			m[k] = child
		}
		m = child
	}
	m[keys[len(keys)-1]] = v
}

// samples builds one record per event name of a service.
func samples(service string, names ...string) []sampleEvent {
	out := make([]sampleEvent, len(names))
	for i, n := range names {
		out[i] = sample(service, n)
	}
	return out
}

// consoleLogin is a console sign-in record.
func consoleLogin(fields ...any) sampleEvent {
	return sample("signin", "ConsoleLogin", append([]any{"eventType", "AwsConsoleSignIn"}, fields...)...)
}

// cisEvents are the CIS AWS Foundations monitoring recommendations whose
// events can be alerted on (5.1–5.15; 5.16, Security Hub, is securityhub.enabled).
var cisEvents = []cisEvent{
	{CIS: "5.1", Title: "unauthorized API calls",
		Pattern: `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }`,
		Samples: []sampleEvent{
			sample("ec2", "RunInstances", "errorCode", "Client.UnauthorizedOperation"),
			sample("iam", "CreateUser", "errorCode", "AccessDenied"),
		}},
	{CIS: "5.2", Title: "console sign-in without MFA", Global: true,
		Pattern: `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`,
		Samples: []sampleEvent{consoleLogin("additionalEventData.MFAUsed", "No", "responseElements.ConsoleLogin", "Success")}},
	{CIS: "5.3", Title: "root user activity",
		Pattern: `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
		Samples: []sampleEvent{
			consoleLogin("userIdentity", map[string]any{"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"},
				"additionalEventData.MFAUsed", "Yes", "responseElements.ConsoleLogin", "Success"),
			sample("iam", "CreateAccessKey", "userIdentity", map[string]any{"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}),
		}},
	{CIS: "5.4", Title: "IAM policy changes", Global: true,
		Pattern: `{ ($.eventSource = iam.amazonaws.com) && (($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)) }`,
		Samples: samples("iam", "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
			"PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy",
			"DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")},
	{CIS: "5.5", Title: "CloudTrail configuration changes",
		Pattern: `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`,
		Samples: samples("cloudtrail", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")},
	{CIS: "5.6", Title: "console authentication failures", Global: true,
		Pattern: `{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`,
		Samples: []sampleEvent{consoleLogin("errorMessage", "Failed authentication", "responseElements.ConsoleLogin", "Failure")}},
	{CIS: "5.7", Title: "disabling or scheduled deletion of customer-managed KMS keys",
		Pattern: `{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }`,
		Samples: samples("kms", "DisableKey", "ScheduleKeyDeletion")},
	{CIS: "5.8", Title: "S3 bucket policy changes",
		Pattern: `{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }`,
		Samples: samples("s3", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
			"DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication")},
	{CIS: "5.9", Title: "AWS Config configuration changes",
		Pattern: `{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }`,
		Samples: samples("config", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder")},
	{CIS: "5.10", Title: "security group changes",
		Pattern: `{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }`,
		Samples: samples("ec2", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
			"RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup")},
	{CIS: "5.11", Title: "network ACL changes",
		Pattern: `{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }`,
		Samples: samples("ec2", "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
			"ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")},
	{CIS: "5.12", Title: "network gateway changes",
		Pattern: `{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }`,
		Samples: samples("ec2", "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
			"DeleteInternetGateway", "DetachInternetGateway")},
	{CIS: "5.13", Title: "route table changes",
		Pattern: `{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }`,
		Samples: samples("ec2", "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
			"DeleteRoute", "DisassociateRouteTable")},
	{CIS: "5.14", Title: "VPC changes",
		Pattern: `{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }`,
		Samples: samples("ec2", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
			"DeleteVpcPeeringConnection", "RejectVpcPeeringConnection")},
	{CIS: "5.15", Title: "AWS Organizations changes", Global: true,
		Pattern: `{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }`,
		Samples: samples("organizations", "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
			"DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType",
			"EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
			"UpdatePolicy", "UpdateOrganizationalUnit")},
}

// findingEvents are the findings of the detection services as EventBridge
// delivers them in account and region: a rule forwarding them is a security
// rule too.
func findingEvents(account, region string) []map[string]any {
	return []map[string]any{
		{"version": "0", "source": "aws.guardduty", "detail-type": "GuardDuty Finding", "account": account, "region": region,
			"detail": map[string]any{"type": "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", "severity": 8.0}},
		{"version": "0", "source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported", "account": account, "region": region,
			"detail": map[string]any{"findings": []any{map[string]any{"Severity": map[string]any{"Label": "HIGH"}}}}},
	}
}
