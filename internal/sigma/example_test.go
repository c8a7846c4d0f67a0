package sigma_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/secure-baseline/baseline/internal/sigma"
)

const exampleRules = `title: CloudTrail logging stopped
id: ct-stop
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName: [StopLogging, DeleteTrail]
    condition: selection
level: high
---
title: VPC flow logs deleted
id: flow-logs-deleted
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: DeleteFlowLogs
        errorCode: null
    condition: selection
---
title: VPC deleted
id: vpc-deleted
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: DeleteVpc
    condition: selection
---
title: Flow logs deleted but the VPC kept
id: flow-logs-without-vpc-deletion
correlation:
    type: absence
    rules: [flow-logs-deleted]
    absent: [vpc-deleted]
    group-by: [recipientAccountId]
    timespan: 30m
level: medium
`

func Example() {
	rules, errs := sigma.ParseRules("example.yml", []byte(exampleRules))
	if len(errs) > 0 {
		panic(errs[0])
	}
	rs, err := sigma.NewRuleSet(rules)
	if err != nil {
		panic(err)
	}
	corr, err := sigma.NewCorrelator(rules, sigma.WithLateness(time.Minute))
	if err != nil {
		panic(err)
	}
	records := []string{
		`{"eventTime":"2024-08-01T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DeleteFlowLogs","recipientAccountId":"111"}`,
		`{"eventTime":"2024-08-01T10:05:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","recipientAccountId":"111"}`,
		`{"eventTime":"2024-08-01T10:45:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeVpcs","recipientAccountId":"111"}`,
	}
	var matched []*sigma.Rule
	for _, raw := range records {
		var fields map[string]any
		if err := json.Unmarshal([]byte(raw), &fields); err != nil {
			panic(err)
		}
		ev := &sigma.MapEvent{Fields: fields, Raw: []byte(raw)}
		when, _ := time.Parse(time.RFC3339, fields["eventTime"].(string))
		for _, a := range corr.Advance(when) {
			fmt.Println("correlation:", a.Rule.Title, a.Group, a.Start.Format(time.TimeOnly))
		}
		for _, r := range rs.Match(ev, matched[:0]) {
			if corr.Generates(r.ID) {
				fmt.Println("detection:", r.Title)
			}
			for _, a := range corr.Observe(r.ID, ev, when) {
				fmt.Println("correlation:", a.Rule.Title, a.Group)
			}
		}
	}
	for _, a := range corr.Flush() {
		fmt.Println("flushed:", a.Rule.Title)
	}
	// Output:
	// detection: CloudTrail logging stopped
	// correlation: Flow logs deleted but the VPC kept [111] 10:00:00
}
