// Package trust maps who can reach into the organization's accounts from
// another account: the principals that IAM role trust policies and resource
// policies (S3 bucket, KMS key, SNS topic, SQS queue, Lambda function and
// Secrets Manager secret policies) allow, and the VPC peering connections and
// Transit Gateway attachments that join networks. It is pure over a
// snapshot: `baseline org trust` draws the map, and the org.external-trust
// control fails on its external edges.
package trust

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/policy"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Kind is how an edge grants access.
type Kind string

const (
	RoleTrust      Kind = "role trust"
	BucketPolicy   Kind = "bucket policy"
	KeyPolicy      Kind = "key policy"
	TopicPolicy    Kind = "topic policy"
	QueuePolicy    Kind = "queue policy"
	FunctionPolicy Kind = "function policy"
	SecretPolicy   Kind = "secret policy"
	Peering        Kind = "peering"
	TransitGateway Kind = "transit gateway"
)

// Reads are the "service:Operation" reads the map is built from.
var Reads = []string{
	"iam:GetAccountAuthorizationDetails",
	"s3:ListBuckets", "s3:GetBucketLocation", "s3:GetBucketPolicy",
	"kms:ListKeys", "kms:DescribeKey", "kms:GetKeyPolicy",
	// The SNS collector keeps topics only once their subscriptions are listed too.
	"sns:ListTopics", "sns:ListSubscriptions", "sns:GetTopicAttributes",
	"sqs:ListQueues", "sqs:GetQueueAttributes",
	"lambda:ListFunctions", "lambda:GetPolicy",
	"secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy",
	"ec2:DescribeVpcPeeringConnections", "ec2:DescribeTransitGatewayAttachments",
}

// Anyone is the node of a grant to every principal: "*", or NotPrincipal,
// with no condition that pins the caller's account or organization.
const Anyone = "*"

// Node is an account, or a principal that stands for many accounts.
type Node struct {
	// ID is an account id, an organization id, or Anyone.
	ID string
	// Name and OU are the organization's name and OU path of its accounts.
	Name, OU string
	// Outside is set for principals outside the organization, Trusted for
	// those of them allow-listed in audit.trusted_accounts.
	Outside, Trusted bool
}

// Label names the node for a person.
func (n *Node) Label() string {
	switch {
	case n.ID == Anyone:
		return "anyone"
	case strings.HasPrefix(n.ID, "o-") && n.Outside:
		return "organization " + n.ID
	case strings.HasPrefix(n.ID, "o-"):
		return "any account of " + n.ID
	case n.Name != "":
		return n.Name + " " + n.ID
	}
	return n.ID
}

// Edge is one grant: a resource of an assessed account that lets the
// principal To in.
type Edge struct {
	// Account owns the resource; Region is "" for IAM roles.
	Account, Region string
	Kind            Kind
	// Resource is the ARN of the resource, the name of a bucket, or the id
	// of a peering connection or Transit Gateway attachment.
	Resource string
	// To is the ID of the node granted access.
	To string
	// Principals are the grants as the policy writes them
	// ("arn:aws:iam::999999999999:root", "* with aws:PrincipalOrgID").
	Principals []string
	Actions    []string
	// External is set when To is outside the organization and not allow-listed.
	External bool
}

// Name is the resource's short name: a role's, bucket's or function's
// name, a key's id, a peering connection's id.
func (e *Edge) Name() string {
	return e.Resource[strings.LastIndexAny(e.Resource, ":/")+1:]
}

// Unparsed is a policy that could not be read: what it grants is unknown.
type Unparsed struct {
	Account, Region string
	Kind            Kind
	Resource        string
	Err             error
}

// Graph is the trust map.
type Graph struct {
	OrgID     string
	Collected time.Time
	// MembersKnown is false when the organization's accounts were not all
	// listed: an account outside the assessed ones may then be a member.
	MembersKnown bool
	// Nodes are the organization's accounts by OU path, then the outside
	// principals; Edges are sorted by account, kind and resource.
	Nodes    []Node
	Edges    []Edge
	Unparsed []Unparsed
	// Missing maps an account to the services whose data the map needs but
	// the snapshot lacks (their collector did not run).
	Missing map[string][]string
}

// Gaps says what the map may be missing, for a person to read.
func (g *Graph) Gaps() []string {
	var out []string
	if !g.MembersKnown {
		out = append(out, "the organization's accounts were not all listed: an account shown outside may be a member")
	}
	for _, u := range g.Unparsed {
		out = append(out, fmt.Sprintf("the %s of %s in %s could not be read: %v", u.Kind, u.Resource, u.Account, u.Err))
	}
	for _, id := range catalog.SortedKeys(g.Missing) {
		out = append(out, fmt.Sprintf("account %s: %s not collected", id, strings.Join(g.Missing[id], ", ")))
	}
	return out
}

// Build maps the grants of every assessed account.
func Build(snap *snapshot.Snapshot, s *catalog.Settings) *Graph {
	return build(snap, s, snap.Accounts)
}

// BuildAccount maps the grants of one account's resources, for checks that
// run per account.
func BuildAccount(snap *snapshot.Snapshot, s *catalog.Settings, a *snapshot.Account) *Graph {
	return build(snap, s, []*snapshot.Account{a})
}

func build(snap *snapshot.Snapshot, s *catalog.Settings, accounts []*snapshot.Account) *Graph {
	sc := newScope(snap, s)
	b := &builder{scope: sc, g: &Graph{OrgID: sc.orgID, Collected: snap.CollectedAt, MembersKnown: sc.known, Missing: map[string][]string{}},
		nodes: map[string]Node{}, edges: map[edgeKey]*Edge{}, joined: map[string]bool{}}
	for _, a := range accounts {
		// Nothing was read in an unreachable account; its checks are ERROR.
		if a.Unreachable != "" {
			continue
		}
		b.node(a.AccountID)
		b.account(a)
		if m := missing(a); len(m) > 0 {
			b.g.Missing[a.AccountID] = m
		}
	}
	return b.finish()
}

type edgeKey struct {
	account string
	kind    Kind
	res, to string
}

type builder struct {
	*scope
	g     *Graph
	nodes map[string]Node
	edges map[edgeKey]*Edge
	// joined are the peering connections and attachments already mapped.
	joined map[string]bool
}

// account adds the grants of one account's resources and networks.
func (b *builder) account(a *snapshot.Account) {
	id := a.AccountID
	if iam := a.Global.IAM; iam != nil {
		for _, r := range iam.Roles {
			b.policy(id, "", RoleTrust, r.Arn, r.TrustPolicy)
		}
	}
	if s3 := a.Global.S3; s3 != nil {
		for _, bk := range s3.Buckets {
			b.policy(id, bk.Region, BucketPolicy, bk.Name, bk.Policy)
		}
	}
	for _, region := range catalog.SortedKeys(a.Regions) {
		r := a.Regions[region]
		if r.KMS != nil {
			for _, k := range r.KMS.Keys {
				b.policy(id, region, KeyPolicy, k.Arn, k.Policy)
			}
		}
		if r.SNS != nil {
			for _, t := range r.SNS.Topics {
				b.policy(id, region, TopicPolicy, t.Arn, t.Policy)
			}
		}
		if r.SQS != nil {
			for _, q := range r.SQS.Queues {
				b.policy(id, region, QueuePolicy, q.Arn, q.Policy)
			}
		}
		if r.Lambda != nil {
			for _, f := range r.Lambda.Functions {
				b.policy(id, region, FunctionPolicy, f.Arn, f.Policy)
			}
		}
		if r.SecretsManager != nil {
			for _, sec := range r.SecretsManager.Secrets {
				b.policy(id, region, SecretPolicy, sec.Arn, sec.Policy)
			}
		}
		if r.EC2 != nil {
			b.networks(id, region, r.EC2)
		}
	}
}

// policy adds the grants of one policy document ("" for none).
func (b *builder) policy(account, region string, kind Kind, resource, doc string) {
	if doc == "" {
		return
	}
	stmts, err := policy.Parse(doc)
	if err != nil {
		b.g.Unparsed = append(b.g.Unparsed, Unparsed{Account: account, Region: region, Kind: kind, Resource: resource, Err: err})
		return
	}
	for i := range stmts {
		st := &stmts[i]
		if !st.Allows() {
			continue
		}
		for _, gr := range b.grantees(st) {
			e := b.edge(account, region, kind, resource, gr.to)
			if e == nil {
				continue
			}
			e.Principals = append(e.Principals, gr.as)
			e.Actions = append(e.Actions, st.Action...)
		}
	}
}

// liveStates are the peering and attachment states that join networks or
// wait for the other side to accept.
var liveStates = map[string]bool{
	"active": true, "pending-acceptance": true, "provisioning": true, "initiating-request": true,
	"available": true, "pendingAcceptance": true, "pending": true, "modifying": true, "initiating": true, "initiatingRequest": true,
}

// networks adds the peering connections and Transit Gateway attachments
// that join a VPC of the account to another account. Both sides of a
// connection between two assessed accounts see it; the first one keeps it.
func (b *builder) networks(account, region string, s *snapshot.EC2) {
	for _, p := range s.PeeringConns {
		other, vpc := p.AccepterAccount, p.AccepterVPC
		if other == account {
			other, vpc = p.RequesterAccount, p.RequesterVPC
		}
		b.join(account, region, Peering, p.ID, p.Status, other, "VPC "+vpc+" of "+other)
	}
	for _, a := range s.TGWAttachments {
		other, as := a.ResourceOwner, a.ResourceType+" "+a.ResourceID+" of "+a.ResourceOwner
		if other == account {
			other, as = a.TGWOwner, "transit gateway "+a.TGWID+" of "+a.TGWOwner
		}
		b.join(account, region, TransitGateway, a.ID, a.State, other, as)
	}
}

// join adds the edge of a live network connection seen for the first time.
func (b *builder) join(account, region string, kind Kind, id, state, other, as string) {
	if !liveStates[state] || b.joined[id] {
		return
	}
	b.joined[id] = true
	if e := b.edge(account, region, kind, id, other); e != nil {
		e.Principals = append(e.Principals, as)
	}
}

// edge returns the edge from a resource to a principal, created on first
// use; nil when the principal is the account itself.
func (b *builder) edge(account, region string, kind Kind, resource, to string) *Edge {
	if to == account || to == "" {
		return nil
	}
	k := edgeKey{account, kind, resource, to}
	if e := b.edges[k]; e != nil {
		return e
	}
	n := b.node(to)
	e := &Edge{Account: account, Region: region, Kind: kind, Resource: resource, To: to, External: n.Outside && !n.Trusted}
	b.edges[k] = e
	return e
}

// node returns the node of a principal id, created on first use.
func (b *builder) node(id string) Node {
	if n, ok := b.nodes[id]; ok {
		return n
	}
	n := b.classify(id)
	b.nodes[id] = n
	return n
}

// finish sorts the graph: the organization's side by OU path, name and id,
// the organization-wide node first; then anyone, other organizations and
// outside accounts.
func (b *builder) finish() *Graph {
	rank := func(n *Node) int {
		switch {
		case !n.Outside && n.ID == b.orgID:
			return 0
		case !n.Outside:
			return 1
		case n.ID == Anyone:
			return 2
		case strings.HasPrefix(n.ID, "o-"):
			return 3
		}
		return 4
	}
	for _, n := range b.nodes {
		b.g.Nodes = append(b.g.Nodes, n)
	}
	slices.SortFunc(b.g.Nodes, func(x, y Node) int {
		return cmp.Or(cmp.Compare(rank(&x), rank(&y)), cmp.Compare(x.OU, y.OU), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
	})
	for _, e := range b.edges {
		e.Principals, e.Actions = sortedSet(e.Principals), sortedSet(e.Actions)
		b.g.Edges = append(b.g.Edges, *e)
	}
	slices.SortFunc(b.g.Edges, func(x, y Edge) int {
		return cmp.Or(cmp.Compare(x.Account, y.Account), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Resource, y.Resource), cmp.Compare(x.To, y.To))
	})
	return b.g
}

func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// missing names the services the map reads whose data the account lacks.
func missing(a *snapshot.Account) []string {
	var out []string
	if a.Global.IAM == nil {
		out = append(out, "iam")
	}
	if a.Global.S3 == nil {
		out = append(out, "s3")
	}
	for _, r := range a.Regions {
		for svc, absent := range map[string]bool{"kms": r.KMS == nil, "sns": r.SNS == nil, "sqs": r.SQS == nil,
			"lambda": r.Lambda == nil, "secretsmanager": r.SecretsManager == nil, "ec2": r.EC2 == nil} {
			if absent {
				out = append(out, svc)
			}
		}
	}
	return sortedSet(out)
}
