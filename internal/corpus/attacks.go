package corpus

import (
	"fmt"
	"time"
)

// An attack is a short sequence of events an intruder leaves, which the
// built-in rules detect. A few are sprinkled over the corpus.
type attack struct {
	name   string
	events func(g *fileGen, t time.Time) []event
}

// intruder is a leaked IAM user's keys, used from an unknown address.
func (g *fileGen) intruder() principal {
	p := g.who[user][2]
	p.ip, p.agent = "185.220.101.47", agents[0]
	return p
}

func one(source, name string, req func(g *fileGen, b []byte) []byte) func(g *fileGen, t time.Time) []event {
	return func(g *fileGen, t time.Time) []event {
		return []event{{c: &call{source: source, name: name}, p: g.intruder(), t: t, req: req}}
	}
}

// many returns n events a few seconds apart; req gets the event's index.
func many(n int, source, name, errorCode string, req func(i int) func(g *fileGen, b []byte) []byte) func(g *fileGen, t time.Time) []event {
	return func(g *fileGen, t time.Time) []event {
		var out []event
		for i := range n {
			e := event{c: &call{source: source, name: name, readOnly: true}, p: g.intruder(), t: t.Add(time.Duration(i) * 3 * time.Second), req: req(i)}
			if errorCode != "" {
				e.errorCode, e.errorMsg = errorCode, "User: "+e.p.arn+" is not authorized to perform: "+name
			}
			out = append(out, e)
		}
		return out
	}
}

var attacks = []attack{
	{"cloudtrail stopped", one("cloudtrail.amazonaws.com", "StopLogging", func(g *fileGen, b []byte) []byte {
		return str(b, "name", "arn:aws:cloudtrail:"+g.region+":"+g.account+":trail/org-trail")
	})},
	{"access denied burst", many(15, "iam.amazonaws.com", "ListUsers", "AccessDenied", func(int) func(*fileGen, []byte) []byte { return nil })},
	{"console login without MFA", func(g *fileGen, t time.Time) []event {
		p := g.intruder()
		p.agent = consoleUA
		return []event{{c: &call{source: "signin.amazonaws.com", name: "ConsoleLogin", resp: func(g *fileGen, b []byte) []byte {
			return str(b, "ConsoleLogin", "Success")
		}}, p: p, t: t, extra: func(g *fileGen, b []byte) []byte {
			b = open(b, "additionalEventData")
			b = str(b, "LoginTo", "https://console.aws.amazon.com/console/home")
			b = str(b, "MobileVersion", "No")
			b = str(b, "MFAUsed", "No")
			return end(b, '}')
		}}}
	}},
	{"access key for another user", one("iam.amazonaws.com", "CreateAccessKey", func(g *fileGen, b []byte) []byte {
		return str(b, "userName", "deploy-bot")
	})},
	{"ssh open to the world", one("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", func(g *fileGen, b []byte) []byte {
		b = str(b, "groupId", "sg-0"+g.hex(16))
		b = open(b, "ipPermissions")
		b = append(b, `"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}],`...)
		return end(b, '}')
	})},
	{"secrets sweep", many(12, "secretsmanager.amazonaws.com", "GetSecretValue", "", func(i int) func(*fileGen, []byte) []byte {
		return func(g *fileGen, b []byte) []byte {
			return str(b, "secretId", fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:prod/app-%02d", g.region, g.account, i))
		}
	})},
	{"flow logs deleted", one("ec2.amazonaws.com", "DeleteFlowLogs", func(g *fileGen, b []byte) []byte {
		b = open(b, "DeleteFlowLogsRequest")
		b = open(b, "FlowLogId")
		b = str(b, "content", "fl-0"+g.hex(16))
		b = num(b, "tag", 1)
		b = end(b, '}')
		return end(b, '}')
	})},
	{"snapshot shared", one("ec2.amazonaws.com", "ModifySnapshotAttribute", func(g *fileGen, b []byte) []byte {
		b = str(b, "snapshotId", "snap-0"+g.hex(16))
		b = open(b, "createVolumePermission")
		b = append(b, `"add":{"items":[{"userId":"999988887777"}]},`...)
		b = end(b, '}')
		return str(b, "attributeType", "CREATE_VOLUME_PERMISSION")
	})},
	{"guardduty detector deleted", one("guardduty.amazonaws.com", "DeleteDetector", func(g *fileGen, b []byte) []byte {
		return str(b, "detectorId", g.hex(32))
	})},
	{"root activity", func(g *fileGen, t time.Time) []event {
		p := principal{kind: user, typ: "Root", arn: "arn:aws:iam::" + g.account + ":root", id: g.account,
			keyPrefix: "ASIA", ip: "203.0.113.99", agent: consoleUA}
		return []event{{c: &call{source: "iam.amazonaws.com", name: "ListUsers", readOnly: true}, p: p, t: t}}
	}},
}
