package trust

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

const (
	theOrg   = "o-exampleorg1"
	mgmt     = "111111111111"
	workload = "222222222222"
	security = "333333333333"
)

// testOrg is an organization of three assessed accounts, its tree read in
// full, every collector run in us-east-1.
func testOrg() *snapshot.Snapshot {
	snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC),
		Organization: &snapshot.Organization{ID: theOrg, ManagementAccountID: mgmt, Member: true, Full: true}}
	for _, a := range []struct{ id, name, ou string }{{mgmt, "management", "/"}, {workload, "workload", "/Workloads"}, {security, "security", "/Security"}} {
		snap.Organization.Accounts = append(snap.Organization.Accounts, snapshot.OrgAccount{ID: a.id, Name: a.name, OUPath: a.ou})
		snap.Accounts = append(snap.Accounts, &snapshot.Account{AccountID: a.id, Name: a.name, OUPath: a.ou,
			Global: snapshot.Global{IAM: &snapshot.IAM{}, S3: &snapshot.S3{}},
			Regions: map[string]*snapshot.Region{"us-east-1": {KMS: &snapshot.KMS{}, SNS: &snapshot.SNS{}, SQS: &snapshot.SQS{},
				Lambda: &snapshot.Lambda{}, SecretsManager: &snapshot.SecretsManager{}, EC2: &snapshot.EC2{}}}})
	}
	return snap
}

// grantsOf maps a trust policy given to a role of the workload account and
// returns its edges as "to" or "to (external)", sorted.
func grantsOf(t *testing.T, doc string, trusted ...string) []string {
	t.Helper()
	snap := testOrg()
	iam := snap.Account(workload).Global.IAM
	iam.Roles = append(iam.Roles, snapshot.Role{Name: "r", Arn: "arn:aws:iam::" + workload + ":role/r", TrustPolicy: doc})
	s := catalog.Defaults()
	s.TrustedAccounts = trusted
	g := Build(snap, s)
	if len(g.Unparsed) > 0 {
		t.Fatalf("unparsed: %+v", g.Unparsed)
	}
	var out []string
	for _, e := range g.Edges {
		if e.External {
			out = append(out, e.To+" (external)")
		} else {
			out = append(out, e.To)
		}
	}
	slices.Sort(out)
	return out
}

func statement(principal, condition string) string {
	st := `{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"`
	if condition != "" {
		st += `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[` + st + `}]}`
}

func TestPrincipalForms(t *testing.T) {
	orgCond := `{"StringEquals":{"aws:PrincipalOrgID":"` + theOrg + `"}}`
	cases := []struct {
		name, doc string
		want      []string
	}{
		{"account id", statement(`{"AWS":"999999999999"}`, ""), []string{"999999999999 (external)"}},
		{"account root ARN", statement(`{"AWS":"arn:aws:iam::999999999999:root"}`, ""), []string{"999999999999 (external)"}},
		{"role ARN", statement(`{"AWS":"arn:aws:iam::999999999999:role/vendor"}`, ""), []string{"999999999999 (external)"}},
		{"list of members and outsiders", statement(`{"AWS":["`+security+`","arn:aws:iam::888888888888:user/x"]}`, ""),
			[]string{"333333333333", "888888888888 (external)"}},
		{"the account itself", statement(`{"AWS":"arn:aws:iam::`+workload+`:root"}`, ""), nil},
		{"anyone", statement(`"*"`, ""), []string{"* (external)"}},
		{"AWS anyone", statement(`{"AWS":"*"}`, ""), []string{"* (external)"}},
		{"anyone in the organization", statement(`"*"`, orgCond), []string{theOrg}},
		{"anyone in the organization, key in any case", statement(`{"AWS":"*"}`, `{"StringEquals":{"AWS:PrincipalOrgId":"`+theOrg+`"}}`), []string{theOrg}},
		{"anyone in another organization", statement(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-otherorg999"}}`), []string{"o-otherorg999 (external)"}},
		{"org paths", statement(`"*"`, `{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"`+theOrg+`/r-ab12/ou-ab12-11111111/*"}}`), []string{theOrg}},
		{"IfExists does not pin", statement(`"*"`, `{"StringEqualsIfExists":{"aws:PrincipalOrgID":"`+theOrg+`"}}`), []string{"* (external)"}},
		{"negation does not pin", statement(`"*"`, `{"StringNotEquals":{"aws:PrincipalOrgID":"`+theOrg+`"}}`), []string{"* (external)"}},
		{"ForAllValues does not pin", statement(`"*"`, `{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"`+theOrg+`"}}`), []string{"* (external)"}},
		{"wildcard org does not pin", statement(`"*"`, `{"StringLike":{"aws:PrincipalOrgID":"o-*"}}`), []string{"* (external)"}},
		{"SNS default policy", statement(`{"AWS":"*"}`, `{"StringEquals":{"AWS:SourceOwner":"`+workload+`"}}`), nil},
		{"anyone from one account", statement(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":["`+security+`","777777777777"]}}`),
			[]string{"333333333333", "777777777777 (external)"}},
		{"conditions intersect", statement(`"*"`, `{"StringEquals":{"aws:SourceAccount":["`+security+`","777777777777"],"aws:PrincipalAccount":"`+security+`"}}`),
			[]string{"333333333333"}},
		{"principal ARN pattern", statement(`"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::`+security+`:role/*"}}`), []string{"333333333333"}},
		{"principal ARN with any account", statement(`"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"}}`), []string{"* (external)"}},
		{"outsider pinned to the organization", statement(`{"AWS":"999999999999"}`, orgCond), nil},
		{"service", statement(`{"Service":"lambda.amazonaws.com"}`, ""), nil},
		{"service for an outside source", statement(`{"Service":"s3.amazonaws.com"}`, `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b"},"StringEquals":{"aws:SourceAccount":"777777777777"}}`),
			[]string{"777777777777 (external)"}},
		{"federated provider of the account", statement(`{"Federated":"arn:aws:iam::`+workload+`:saml-provider/okta"}`, ""), nil},
		{"federated web identity", statement(`{"Federated":"cognito-identity.amazonaws.com"}`, ""), nil},
		{"federated provider of an outsider", statement(`{"Federated":"arn:aws:iam::999999999999:oidc-provider/example.com"}`, ""), []string{"999999999999 (external)"}},
		{"unique id of a deleted role", statement(`{"AWS":"AROAEXAMPLEID1234567"}`, ""), nil},
		{"canonical user anyone", statement(`{"CanonicalUser":"*"}`, ""), []string{"* (external)"}},
		{"deny is ignored", `{"Statement":[{"Effect":"Deny","Principal":{"AWS":"999999999999"},"Action":"*"}]}`, nil},
		{"NotPrincipal", `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"999999999999"},"Action":"sts:AssumeRole"}}`, []string{"* (external)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := grantsOf(t, c.doc); !slices.Equal(got, c.want) {
				t.Errorf("grants %v, want %v", got, c.want)
			}
		})
	}
}

func TestTrustedAccountsAreNotExternal(t *testing.T) {
	doc := statement(`{"AWS":["999999999999","888888888888"]}`, "")
	if got := grantsOf(t, doc, "999999999999"); !slices.Equal(got, []string{"888888888888 (external)", "999999999999"}) {
		t.Fatalf("grants %v", got)
	}
}

func TestEdgeCarriesPrincipalsAndActions(t *testing.T) {
	snap := testOrg()
	snap.Account(workload).Global.IAM.Roles = []snapshot.Role{{Name: "vendor", Arn: "arn:aws:iam::" + workload + ":role/vendor",
		TrustPolicy: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999999999999:root","arn:aws:iam::999999999999:role/ci"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}`}}
	g := Build(snap, catalog.Defaults())
	if len(g.Edges) != 1 {
		t.Fatalf("edges %+v", g.Edges)
	}
	e := g.Edges[0]
	if e.Account != workload || e.Kind != RoleTrust || e.Name() != "vendor" || e.Region != "" ||
		!slices.Equal(e.Principals, []string{"arn:aws:iam::999999999999:role/ci", "arn:aws:iam::999999999999:root"}) ||
		!slices.Equal(e.Actions, []string{"sts:AssumeRole", "sts:TagSession"}) {
		t.Fatalf("edge %+v", e)
	}
}

// TestResourceKinds: every resource policy and network connection the map
// reads, in the account and region that grant.
func TestResourceKinds(t *testing.T) {
	snap := testOrg()
	grant := func(p string) string { return statement(`{"AWS":"`+p+`"}`, "") }
	w := snap.Account(workload)
	w.Global.S3.Buckets = []snapshot.Bucket{{Name: "shared", Region: "eu-west-1", Policy: grant("888888888888")}, {Name: "private"}}
	r := w.Regions["us-east-1"]
	r.KMS.Keys = []snapshot.Key{{ID: "k", Arn: "arn:aws:kms:us-east-1:" + workload + ":key/k", Policy: grant("arn:aws:iam::" + workload + ":root")}}
	r.SNS.Topics = []snapshot.Topic{{Arn: "arn:aws:sns:us-east-1:" + workload + ":t", Policy: grant(security)}}
	r.SQS.Queues = []snapshot.Queue{{Name: "q", Arn: "arn:aws:sqs:us-east-1:" + workload + ":q", Policy: grant("777777777777")}}
	r.Lambda.Functions = []snapshot.Function{{Name: "f", Arn: "arn:aws:lambda:us-east-1:" + workload + ":function:f", Policy: grant("666666666666")}}
	r.SecretsManager.Secrets = []snapshot.Secret{{Name: "s", Arn: "arn:aws:secretsmanager:us-east-1:" + workload + ":secret:s-AbCdEf", Policy: `{"Statement":`}}
	// A peering seen from both member accounts, one to an outsider, one deleted.
	inOrg := snapshot.Peering{ID: "pcx-1", RequesterAccount: workload, RequesterVPC: "vpc-w", AccepterAccount: security, AccepterVPC: "vpc-s", Status: "active"}
	r.EC2.PeeringConns = []snapshot.Peering{inOrg,
		{ID: "pcx-2", RequesterAccount: workload, RequesterVPC: "vpc-w", AccepterAccount: "555555555555", AccepterVPC: "vpc-x", Status: "pending-acceptance"},
		{ID: "pcx-3", RequesterAccount: workload, AccepterAccount: "555555555555", Status: "deleted"}}
	snap.Account(security).Regions["us-east-1"].EC2.PeeringConns = []snapshot.Peering{inOrg}
	// The security account's transit gateway, shared with an outsider.
	snap.Account(security).Regions["us-east-1"].EC2.TGWAttachments = []snapshot.TGWAttachment{
		{ID: "tgw-attach-1", TGWID: "tgw-1", TGWOwner: security, ResourceOwner: "444444444444", ResourceID: "vpc-o", ResourceType: "vpc", State: "available"},
		{ID: "tgw-attach-2", TGWID: "tgw-1", TGWOwner: security, ResourceOwner: security, ResourceID: "vpc-s", ResourceType: "vpc", State: "available"}}
	snap.Account(mgmt).Regions["us-east-1"].SQS = nil

	g := Build(snap, catalog.Defaults())
	var got []string
	for _, e := range g.Edges {
		got = append(got, fmt.Sprintf("%s %s %s %s %s %s %v", e.Account, e.Region, e.Kind, e.Resource, e.To, strings.Join(e.Principals, ","), e.External))
	}
	want := []string{
		workload + " eu-west-1 bucket policy shared 888888888888 888888888888 true",
		workload + " us-east-1 function policy arn:aws:lambda:us-east-1:" + workload + ":function:f 666666666666 666666666666 true",
		workload + " us-east-1 peering pcx-1 " + security + " VPC vpc-s of " + security + " false",
		workload + " us-east-1 peering pcx-2 555555555555 VPC vpc-x of 555555555555 true",
		workload + " us-east-1 queue policy arn:aws:sqs:us-east-1:" + workload + ":q 777777777777 777777777777 true",
		workload + " us-east-1 topic policy arn:aws:sns:us-east-1:" + workload + ":t " + security + " " + security + " false",
		security + " us-east-1 transit gateway tgw-attach-1 444444444444 vpc vpc-o of 444444444444 true",
	}
	if !slices.Equal(got, want) {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(g.Unparsed) != 1 || g.Unparsed[0].Kind != SecretPolicy || !strings.HasSuffix(g.Unparsed[0].Resource, ":secret:s-AbCdEf") {
		t.Errorf("unparsed %+v", g.Unparsed)
	}
	if m := g.Missing; len(m) != 1 || !slices.Equal(m[mgmt], []string{"sqs"}) {
		t.Errorf("missing %v", m)
	}
	if !g.MembersKnown || len(g.Gaps()) != 2 {
		t.Errorf("gaps %q", g.Gaps())
	}
}

func TestNodesAreOrderedAndClassified(t *testing.T) {
	snap := testOrg()
	snap.Account(workload).Global.IAM.Roles = []snapshot.Role{{Name: "r", Arn: "arn:aws:iam::" + workload + ":role/r",
		TrustPolicy: `{"Statement":[
			{"Effect":"Allow","Principal":{"AWS":["999999999999","888888888888"]},"Action":"sts:AssumeRole"},
			{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":["` + theOrg + `","o-otherorg999"]}}},
			{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`}}
	s := catalog.Defaults()
	s.TrustedAccounts = []string{"888888888888"}
	g := Build(snap, s)
	var got []string
	for _, n := range g.Nodes {
		got = append(got, fmt.Sprintf("%s|%s|%v|%v", n.Label(), n.OU, n.Outside, n.Trusted))
	}
	want := []string{
		"any account of " + theOrg + "||false|false",
		"management " + mgmt + "|/|false|false",
		"security " + security + "|/Security|false|false",
		"workload " + workload + "|/Workloads|false|false",
		"anyone||true|false",
		"organization o-otherorg999||true|false",
		"888888888888||true|true",
		"999999999999||true|false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("nodes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMembersUnknownWithoutTheTree(t *testing.T) {
	snap := testOrg()
	snap.Organization.Full = false
	if Build(snap, catalog.Defaults()).MembersKnown {
		t.Error("members known without the organization's tree")
	}
	snap.Organization.Full = true
	snap.Errors = []snapshot.Error{{Service: "organizations", Operation: "ListAccountsForParent", Resource: "ou-1"}}
	if Build(snap, catalog.Defaults()).MembersKnown {
		t.Error("members known with an OU unlisted")
	}
	// Outside an organization, the assessed accounts are all there is.
	snap.Organization, snap.Errors = &snapshot.Organization{Member: false}, nil
	if g := Build(snap, catalog.Defaults()); !g.MembersKnown || len(g.Nodes) != 3 {
		t.Errorf("standalone accounts: %+v", g)
	}
}

func TestBuildAccountMapsOneAccount(t *testing.T) {
	snap := testOrg()
	for _, id := range []string{workload, security} {
		snap.Account(id).Global.IAM.Roles = []snapshot.Role{{Name: "r", Arn: "arn:aws:iam::" + id + ":role/r", TrustPolicy: statement(`{"AWS":"999999999999"}`, "")}}
	}
	g := BuildAccount(snap, catalog.Defaults(), snap.Account(security))
	if len(g.Edges) != 1 || g.Edges[0].Account != security {
		t.Fatalf("edges %+v", g.Edges)
	}
}
