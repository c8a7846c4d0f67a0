package corpus

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// fileGen writes the events of one log file.
type fileGen struct {
	rng             *rand.Rand
	account, region string
	who             map[whoKind][]principal
	b               []byte
}

const hexDigits = "0123456789abcdef"

func (g *fileGen) hex(n int) string {
	var buf [64]byte
	for i := range n {
		buf[i] = hexDigits[g.rng.IntN(16)]
	}
	return string(buf[:n])
}

func (g *fileGen) uuid() string {
	x, y := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", x>>32, x>>16&0xffff, x&0xfff, 0x8000|y>>48&0x3fff, y&0xffffffffffff)
}

// pick returns a principal of one of the kinds.
func (g *fileGen) pick(kinds []whoKind) principal {
	ps := g.who[kinds[g.rng.IntN(len(kinds))]]
	return ps[g.rng.IntN(len(ps))]
}

// event describes one record to write.
type event struct {
	c         *call
	p         principal
	t         time.Time
	errorCode string
	errorMsg  string
	// req overrides the call's requestParameters writer; extra writes more
	// top-level members.
	req, extra func(g *fileGen, b []byte) []byte
}

// everyday returns an event of the usual mix at t, with the errors real
// trails carry: a few denied calls, throttling, missing resources.
func (g *fileGen) everyday(t time.Time) event {
	c := &calls[pickCall(g.rng)]
	e := event{c: c, p: g.pick(c.who), t: t}
	switch r := g.rng.IntN(1000); {
	case r < 15 && e.p.kind != service:
		e.errorCode, e.errorMsg = "AccessDenied", "User: "+e.p.arn+" is not authorized to perform: "+c.name
	case r < 25:
		e.errorCode, e.errorMsg = "ThrottlingException", "Rate exceeded"
	case r < 32:
		e.errorCode, e.errorMsg = "ResourceNotFoundException", "Requested resource not found"
	}
	return e
}

var callTable = func() []uint8 {
	var t []uint8
	for i, c := range calls {
		for range c.weight {
			t = append(t, uint8(i))
		}
	}
	return t
}()

func pickCall(rng *rand.Rand) int { return int(callTable[rng.IntN(len(callTable))]) }

// write appends the record of e to g.b.
func (g *fileGen) write(e event) {
	b := append(g.b, '{')
	b = str(b, "eventVersion", "1.10")
	b = g.identity(b, e.p, e.t)
	b = str(b, "eventTime", e.t.Format(time.RFC3339))
	b = str(b, "eventSource", e.c.source)
	b = str(b, "eventName", e.c.name)
	b = str(b, "awsRegion", g.region)
	b = str(b, "sourceIPAddress", e.p.ip)
	b = str(b, "userAgent", e.p.agent)
	if e.errorCode != "" {
		b = str(b, "errorCode", e.errorCode)
		b = str(b, "errorMessage", e.errorMsg)
	}
	req := e.req
	if req == nil {
		req = e.c.req
	}
	if req == nil || e.errorCode != "" && g.rng.IntN(2) == 0 {
		b = null(b, "requestParameters")
	} else {
		b = req(g, open(b, "requestParameters"))
		b = end(b, '}')
	}
	if e.c.resp == nil || e.errorCode != "" {
		b = null(b, "responseElements")
	} else {
		b = e.c.resp(g, open(b, "responseElements"))
		b = end(b, '}')
	}
	b = str(b, "requestID", g.uuid())
	b = str(b, "eventID", g.uuid())
	b = boolean(b, "readOnly", e.c.readOnly)
	if e.c.kms {
		b = key(b, "resources")
		b = append(b, `[{"accountId":"`...)
		b = append(b, g.account...)
		b = append(b, `","type":"AWS::KMS::Key","ARN":"arn:aws:kms:`...)
		b = append(b, g.region+":"+g.account+":key/"...)
		b = append(b, g.keyID()...)
		b = append(b, `"}],`...)
	}
	b = str(b, "eventType", "AwsApiCall")
	b = boolean(b, "managementEvent", true)
	b = str(b, "recipientAccountId", g.account)
	if e.p.kind == instance && g.rng.IntN(4) == 0 {
		b = str(b, "vpcEndpointId", "vpce-0"+g.hex(16))
	}
	if e.extra != nil {
		b = e.extra(g, b)
	}
	b = str(b, "eventCategory", "Management")
	if e.p.kind != service {
		b = open(b, "tlsDetails")
		b = str(b, "tlsVersion", "TLSv1.3")
		b = str(b, "cipherSuite", "TLS_AES_128_GCM_SHA256")
		b = str(b, "clientProvidedHostHeader", e.c.source[:len(e.c.source)-len(".amazonaws.com")]+"."+g.region+".amazonaws.com")
		b = end(b, '}')
	}
	if e.p.kind == person && e.p.agent == consoleUA {
		b = str(b, "sessionCredentialFromConsole", "true")
	}
	g.b = end(b, '}')
}

// keyID is one of a few keys per account: applications use the keys of
// their data, not many.
func (g *fileGen) keyID() string {
	return fmt.Sprintf("%08x-aaaa-4bbb-8ccc-%012d", g.rng.IntN(3), len(g.account))
}

func (g *fileGen) identity(b []byte, p principal, t time.Time) []byte {
	b = open(b, "userIdentity")
	b = str(b, "type", p.typ)
	switch p.kind {
	case service:
		b = str(b, "invokedBy", p.invokedBy)
		return end(b, '}')
	case user:
		b = str(b, "principalId", p.id)
		b = str(b, "arn", p.arn)
		b = str(b, "accountId", g.account)
		b = str(b, "accessKeyId", p.keyPrefix+g.hex(16))
		if p.typ != "Root" {
			b = str(b, "userName", p.name)
		}
		return end(b, '}')
	}
	b = str(b, "principalId", p.id)
	b = str(b, "arn", p.arn)
	b = str(b, "accountId", g.account)
	b = str(b, "accessKeyId", p.keyPrefix+g.hex(16))
	b = open(b, "sessionContext")
	b = open(b, "sessionIssuer")
	b = str(b, "type", "Role")
	b = str(b, "principalId", p.id[:20])
	b = str(b, "arn", "arn:aws:iam::"+g.account+":role/"+p.name)
	b = str(b, "accountId", g.account)
	b = str(b, "userName", p.name)
	b = end(b, '}')
	b = open(b, "webIdFederationData")
	b = end(b, '}')
	b = open(b, "attributes")
	b = str(b, "creationDate", t.Add(-17*time.Minute).Format(time.RFC3339))
	b = str(b, "mfaAuthenticated", "false")
	b = end(b, '}')
	if p.kind == instance {
		b = str(b, "ec2RoleDelivery", "2.0")
	}
	b = end(b, '}')
	return end(b, '}')
}
