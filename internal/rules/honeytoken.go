package rules

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/sigma"
)

// HoneytokenRuleID is the id of the rule Honeytoken generates, whatever the
// users, so that its alerts keep one identity across configuration changes.
const HoneytokenRuleID = "3a8abc84-f908-48db-b153-5c5fd76d6f1e"

const honeytokenRule = `title: Honeytoken IAM user credentials used
id: ` + HoneytokenRuleID + `
status: stable
description: |
  A call was made, successfully or not, with the credentials of a honeytoken IAM user: its password or access
  keys, or temporary credentials it obtained (GetSessionToken, GetFederationToken). These users exist only to be
  stolen; any use means their credentials leaked and someone is trying them.
references:
  - https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_examples-sts-api
author: baseline
date: 2026-11-22
tags:
  - attack.credential-access
  - attack.initial-access
  - attack.t1552.001
  - attack.t1078.004
logsource:
  product: aws
  service: cloudtrail
detection:
  user:
    userIdentity.userName: [%[1]s]
  derived_session:
    userIdentity.sessionContext.sessionIssuer.type: IAMUser
    userIdentity.sessionContext.sessionIssuer.userName: [%[1]s]
  condition: 1 of them
falsepositives:
  - None expected; checks that only read the honeytoken user (GetUser, ListAccessKeys by an auditor) are not
    calls made with its credentials and do not match.
level: critical
`

// wildcards escapes Sigma's wildcard characters, which IAM user names cannot
// contain anyway.
var wildcards = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)

// Honeytoken returns the rule that fires on any call, failed ones included,
// made with the credentials of the named honeytoken IAM users (compared
// case-insensitively, as IAM does), or nil when users is empty.
func Honeytoken(users []string) *sigma.Rule {
	if len(users) == 0 {
		return nil
	}
	quoted := make([]string, len(users))
	for i, u := range users {
		b, _ := json.Marshal(wildcards.Replace(u)) // a JSON string is a YAML double-quoted scalar
		quoted[i] = string(b)
	}
	r, err := sigma.ParseRule(fmt.Appendf(nil, honeytokenRule, strings.Join(quoted, ", ")))
	if err != nil {
		panic("rules: honeytoken rule: " + err.Error()) // names are quoted: only a bug gets here
	}
	return r
}
