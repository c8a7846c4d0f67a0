package main

import (
	"fmt"
	"strings"
)

// The filter jq and DuckDB run: the API calls the built-in pack watches
// most, denied calls and root activity. It is what one would write to hunt
// with those tools; the pack does strictly more (80 rules, conditions on
// nested fields, correlations, deduplication).
var watchedNames = []string{
	"StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "ConsoleLogin", "CreateAccessKey",
	"CreateLoginProfile", "UpdateLoginProfile", "AttachUserPolicy", "AttachRolePolicy", "PutUserPolicy",
	"PutRolePolicy", "CreatePolicyVersion", "UpdateAssumeRolePolicy", "AuthorizeSecurityGroupIngress",
	"ModifySnapshotAttribute", "ModifyImageAttribute", "ModifyDBSnapshotAttribute", "DeleteFlowLogs",
	"DeleteDetector", "ScheduleKeyDeletion", "DisableKey", "PutBucketPolicy", "DeleteBucketPolicy",
	"GetPasswordData", "SendCommand", "StartSession", "LeaveOrganization", "CreateNetworkAclEntry",
	"CreateRoute", "DeleteVpc", "GetFederationToken", "SendSSHPublicKey", "CreateTrustAnchor", "RunInstances",
}

// jqFilter selects the watched events from a CloudTrail file.
func jqFilter() string {
	quoted := make([]string, len(watchedNames))
	for i, n := range watchedNames {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return `.Records[] | select((.eventName | IN(` + strings.Join(quoted, ",") + `))` +
		` or ((.errorCode // "") as $e | ($e | startswith("AccessDenied")) or ($e | endswith("UnauthorizedOperation")))` +
		` or .userIdentity.type == "Root") | .eventID`
}

// duckdbQuery counts all events and the watched ones. With columns declared
// DuckDB parses only the fields the filter reads, its best case, which
// needs the schema known up front. Without, it infers the schema, as
// read_json is mostly used; its default inference fails on CloudTrail
// ("has unknown key": each API has its own requestParameters), so this
// takes the remedy its error message suggests, union_by_name.
func duckdbQuery(glob string, declared bool) string {
	quoted := make([]string, len(watchedNames))
	for i, n := range watchedNames {
		quoted[i] = "'" + n + "'"
	}
	columns := ", union_by_name = true"
	if declared {
		columns = `, columns = {Records: 'STRUCT(eventID VARCHAR, eventName VARCHAR, eventSource VARCHAR, errorCode VARCHAR, userIdentity STRUCT("type" VARCHAR))[]'}`
	}
	return `SELECT count(*), count(*) FILTER (WHERE r.eventName IN (` + strings.Join(quoted, ",") + `)` +
		` OR r.errorCode LIKE 'AccessDenied%' OR r.errorCode LIKE '%UnauthorizedOperation'` +
		` OR r.userIdentity."type" = 'Root')` +
		` FROM (SELECT unnest(Records) AS r FROM read_json('` + strings.ReplaceAll(glob, "'", "''") + `',` +
		` format = 'auto', maximum_object_size = 268435456` + columns + `))`
}
