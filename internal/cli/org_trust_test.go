package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

// trustFixture is an organization whose workload account lets in outside
// accounts through a role, a bucket, a key, a secret and a VPC peering
// connection, and lets in its own organization through a role trusting the
// security account, a queue open to the organization and a topic with
// SNS's default policy.
type trustFixture struct {
	*fixture.Org
	bucket, key, secret, peering string
}

// Outside accounts, one per kind of grant.
const (
	outsideRole    = "999999999999"
	outsideBucket  = "888888888888"
	outsideKey     = "777777777777"
	outsideSecret  = "666666666666"
	outsidePeering = "555555555555"
)

func buildTrustFixture(t *testing.T) *trustFixture {
	t.Helper()
	ctx := context.Background()
	org, err := fixture.CreateOrganization(ctx, moto.Config(t), []fixture.Member{
		{Name: "security", Email: "aws-security@example.com", OU: "Security"},
		{Name: "workload", Email: "aws-workload@example.com", OU: "Workloads"},
	})
	if err != nil {
		t.Fatal(err)
	}
	work, sec := org.AccountID("workload"), org.AccountID("security")
	cfg := org.Config(work)
	f := &trustFixture{Org: org, bucket: "exchange-" + work}
	allow := func(principal, action, extra string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `","Resource":"*"` + extra + `}]}`)
	}
	rootOf := func(id string) string { return `{"AWS":"arn:aws:iam::` + id + `:root"}` }
	steps := []struct {
		what string
		do   func() error
	}{
		{"role trusting an outside account", func() error {
			_, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("vendor-access"),
				AssumeRolePolicyDocument: allow(rootOf(outsideRole), "sts:AssumeRole", "")})
			return err
		}},
		{"role trusting the security account", func() error {
			_, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("security-audit"),
				AssumeRolePolicyDocument: allow(rootOf(sec), "sts:AssumeRole", "")})
			return err
		}},
		{"bucket shared with an outside account", func() error {
			api := s3.NewFromConfig(cfg)
			if _, err := api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(f.bucket)}); err != nil {
				return err
			}
			_, err := api.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(f.bucket),
				Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + rootOf(outsideBucket) +
					`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + f.bucket + `/*"}]}`)})
			return err
		}},
		{"key shared with an outside account", func() error {
			api := kms.NewFromConfig(cfg)
			k, err := api.CreateKey(ctx, &kms.CreateKeyInput{})
			if err != nil {
				return err
			}
			f.key = aws.ToString(k.KeyMetadata.Arn)
			_, err = api.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: k.KeyMetadata.KeyId, PolicyName: aws.String("default"),
				Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + rootOf(work) + `,"Action":"kms:*","Resource":"*"},` +
					`{"Effect":"Allow","Principal":` + rootOf(outsideKey) + `,"Action":"kms:Decrypt","Resource":"*"}]}`)})
			return err
		}},
		{"secret shared with an outside account", func() error {
			api := secretsmanager.NewFromConfig(cfg)
			s, err := api.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("vendor-token"), SecretString: aws.String("x")})
			if err != nil {
				return err
			}
			f.secret = aws.ToString(s.ARN)
			_, err = api.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: s.ARN,
				ResourcePolicy: allow(`{"AWS":"`+outsideSecret+`"}`, "secretsmanager:GetSecretValue", "")})
			return err
		}},
		{"queue open to the organization", func() error {
			_, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs"), Attributes: map[string]string{
				"Policy": aws.ToString(allow(`"*"`, "sqs:SendMessage", `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+org.ID+`"}}`))}})
			return err
		}},
		{"topic with the default policy", func() error {
			_, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
			return err
		}},
		{"peering with an outside account's VPC", func() error {
			// The emulator lets anyone act in any account: the outsider's VPC is made there.
			theirs, err := ec2.NewFromConfig(fixture.AssumeConfig(moto.Config(t), outsidePeering, org.Management)).CreateVpc(ctx,
				&ec2.CreateVpcInput{CidrBlock: aws.String("10.8.0.0/16")})
			if err != nil {
				return err
			}
			api := ec2.NewFromConfig(cfg)
			ours, err := api.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
			if err != nil {
				return err
			}
			p, err := api.CreateVpcPeeringConnection(ctx, &ec2.CreateVpcPeeringConnectionInput{VpcId: ours.Vpc.VpcId,
				PeerVpcId: theirs.Vpc.VpcId, PeerOwnerId: aws.String(outsidePeering)})
			if err != nil {
				return err
			}
			f.peering = aws.ToString(p.VpcPeeringConnection.VpcPeeringConnectionId)
			return nil
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("build %s: %v", s.what, err)
		}
	}
	return f
}

// mermaidArrows reads the arrows of a Mermaid flowchart as
// "from-label -->|label| to-label", node labels with their line break.
func mermaidArrows(t *testing.T, chart string) []string {
	t.Helper()
	labels := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(n\d+)\["([^"]*)"\]$`).FindAllStringSubmatch(chart, -1) {
		labels[m[1]] = m[2]
	}
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s+(n\d+) (\S+)\|"([^"]*)"\| (n\d+)$`).FindAllStringSubmatch(chart, -1) {
		out = append(out, fmt.Sprintf("%s %s|%s| %s", labels[m[1]], m[2], m[3], labels[m[4]]))
	}
	if len(out) == 0 {
		t.Fatalf("no arrows in:\n%s", chart)
	}
	return out
}

// dotArrows does the same for a DOT graph; external arrows end in " red".
func dotArrows(t *testing.T, graph string) []string {
	t.Helper()
	labels := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(n\d+) \[label="([^"]*)"`).FindAllStringSubmatch(graph, -1) {
		labels[m[1]] = m[2]
	}
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s+(n\d+) -> (n\d+) \[label="([^"]*)"(.*)\];$`).FindAllStringSubmatch(graph, -1) {
		arrow := fmt.Sprintf("%s -> %s |%s|", labels[m[1]], labels[m[2]], m[3])
		if strings.Contains(m[4], `color="#a4161a"`) {
			arrow += " red"
		}
		out = append(out, arrow)
	}
	if len(out) == 0 {
		t.Fatalf("no arrows in:\n%s", graph)
	}
	return out
}

// TestOrgTrustMapAndControl is the acceptance test: the trust map
// of an organization built through the AWS APIs, drawn live and from a
// snapshot, and the control that fails on the outside grants.
func TestOrgTrustMapAndControl(t *testing.T) {
	moto.Start(t)
	f := buildTrustFixture(t)
	work, sec := f.AccountID("workload"), f.AccountID("security")
	workload := "workload<br/>" + work
	outside := func(id string) string { return id + "<br/>outside the organization" }

	// Live: the command collects what the map reads.
	code, stdout, stderr := run(t, "org", "trust", "--regions", "us-east-1")
	if code != ExitOK {
		t.Fatalf("org trust exit %d: %s", code, stderr)
	}
	arrows := mermaidArrows(t, stdout)
	for _, want := range []string{
		workload + " ==>|role trust: vendor-access| " + outside(outsideRole),
		workload + " ==>|bucket policy: " + f.bucket + "| " + outside(outsideBucket),
		workload + " ==>|key policy: " + f.key[strings.LastIndex(f.key, "/")+1:] + "| " + outside(outsideKey),
		workload + " ==>|secret policy: " + f.secret[strings.LastIndex(f.secret, ":")+1:] + "| " + outside(outsideSecret),
		workload + " ==>|peering: " + f.peering + "| " + outside(outsidePeering),
		workload + " -->|role trust: security-audit| security<br/>" + sec,
		workload + " -->|queue policy: jobs| any account of " + f.ID,
	} {
		if !slices.Contains(arrows, want) {
			t.Errorf("mermaid lacks %q; arrows:\n%s", want, strings.Join(arrows, "\n"))
		}
	}
	for _, a := range arrows {
		if strings.Contains(a, "topic policy") {
			t.Errorf("the topic's default policy (its own account) is drawn: %s", a)
		}
	}

	// The audit fails the outside grants, by resource, naming the principal.
	dir := t.TempDir()
	snapPath := filepath.Join(dir, "snap.json.gz")
	code, stdout, stderr = run(t, "audit", "--org", "--regions", "us-east-1", "--controls", "org.external-trust", "--format", "json", "--save-snapshot", snapPath)
	if code != ExitOK {
		t.Fatalf("audit exit %d: %s", code, stderr)
	}
	res := decodeAudit(t, stdout)
	for resource, principal := range map[string]string{
		"arn:aws:iam::" + work + ":role/vendor-access": outsideRole,
		"arn:aws:s3:::" + f.bucket:                     outsideBucket,
		f.key:                                          outsideKey,
		f.secret:                                       outsideSecret,
		f.peering:                                      outsidePeering,
	} {
		if fail := expect(t, res, "org.external-trust", work, "", resource, catalog.StatusFail); !strings.Contains(fail.Reason, principal) {
			t.Errorf("%s: reason %q does not name %s", resource, fail.Reason, principal)
		}
	}
	for _, fd := range findings(res, "org.external-trust", "*", "*", "*") {
		if fd.Status != catalog.StatusFail {
			continue
		}
		for _, inside := range []string{"security-audit", ":jobs", ":events", "OrganizationAccountAccessRole"} {
			if strings.Contains(fd.Resource, inside) {
				t.Errorf("a grant within the organization fails: %+v", fd)
			}
		}
	}
	for _, acct := range []string{f.Management, sec} {
		expect(t, res, "org.external-trust", acct, "", "", catalog.StatusPass)
	}

	// From the snapshot: the same map in DOT, and in one offline HTML page.
	code, stdout, stderr = run(t, "org", "trust", "--snapshot", snapPath, "--format", "dot")
	if code != ExitOK {
		t.Fatalf("org trust --format dot exit %d: %s", code, stderr)
	}
	arrows = dotArrows(t, stdout)
	for _, want := range []string{
		`workload\n` + work + ` -> ` + outsideRole + `\noutside the organization |role trust: vendor-access| red`,
		`workload\n` + work + ` -> ` + outsideBucket + `\noutside the organization |bucket policy: ` + f.bucket + `| red`,
		`workload\n` + work + ` -> security\n` + sec + ` |role trust: security-audit|`,
	} {
		if !slices.Contains(arrows, want) {
			t.Errorf("dot lacks %q; arrows:\n%s", want, strings.Join(arrows, "\n"))
		}
	}
	page := filepath.Join(dir, "trust.html")
	if code, _, stderr := run(t, "org", "trust", "--snapshot", snapPath, "--format", "html", "-o", page); code != ExitOK {
		t.Fatalf("org trust --format html exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if !strings.Contains(html, "<svg ") || !strings.Contains(html, "vendor-access") || !strings.Contains(html, outsideBucket) {
		t.Errorf("the page draws no graph of the grants")
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link"} {
		if strings.Contains(html, bad) {
			t.Errorf("the page references %q", bad)
		}
	}

	// `org` alone is still the inventory.
	if code, stdout, stderr := run(t, "org", "--snapshot", snapPath, "--format", "json"); code != ExitOK || !strings.Contains(stdout, `"ou_path"`) {
		t.Errorf("org exit %d: %s%s", code, stdout, stderr)
	}
}

// TestOrgTrustControlOnSnapshot: what the emulator cannot show, on a
// hand-built snapshot: a grant to anyone, a Transit Gateway attachment of an
// outsider, an allow-listed account, an account that may be a member when
// the tree was not read, an unreadable policy and data not collected.
func TestOrgTrustControlOnSnapshot(t *testing.T) {
	const org, mgmt, work, sec = "o-exampleorg1", "111111111111", "222222222222", "333333333333"
	region := func() *snapshot.Region {
		return &snapshot.Region{KMS: &snapshot.KMS{}, SNS: &snapshot.SNS{}, SQS: &snapshot.SQS{}, Lambda: &snapshot.Lambda{},
			SecretsManager: &snapshot.SecretsManager{}, EC2: &snapshot.EC2{}}
	}
	account := func(id, name string) *snapshot.Account {
		return &snapshot.Account{AccountID: id, Name: name, Global: snapshot.Global{IAM: &snapshot.IAM{}, S3: &snapshot.S3{}},
			Regions: map[string]*snapshot.Region{"us-east-1": region()}}
	}
	snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, CollectedAt: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), CallerAccountID: mgmt,
		Organization: &snapshot.Organization{ID: org, ManagementAccountID: mgmt, Member: true, Full: true,
			Accounts: []snapshot.OrgAccount{{ID: mgmt, Name: "management"}, {ID: work, Name: "workload"}, {ID: sec, Name: "security"}}},
		Regions:  []string{"us-east-1"},
		Accounts: []*snapshot.Account{account(mgmt, "management"), account(work, "workload"), account(sec, "security")}}
	w := snap.Account(work)
	w.Global.S3.Buckets = []snapshot.Bucket{{Name: "public", Region: "us-east-1",
		Policy: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public/*"}]}`}}
	w.Global.IAM.Roles = []snapshot.Role{{Name: "partner", Arn: "arn:aws:iam::" + work + ":role/partner",
		TrustPolicy: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"444444444444"},"Action":"sts:AssumeRole"}]}`}}
	w.Regions["us-east-1"].Lambda.Functions = []snapshot.Function{{Name: "f", Arn: "arn:aws:lambda:us-east-1:" + work + ":function:f", Policy: "{"}}
	w.Regions["us-east-1"].SQS = nil
	snap.Account(sec).Regions["us-east-1"].EC2.TGWAttachments = []snapshot.TGWAttachment{{ID: "tgw-attach-1", TGWID: "tgw-1", TGWOwner: sec,
		ResourceOwner: "999999999999", ResourceID: "vpc-1", ResourceType: "vpc", State: "available"}}
	snap.Errors = []snapshot.Error{{AccountID: sec, Region: "us-east-1", Service: "kms", Operation: "GetKeyPolicy",
		Resource: "arn:aws:kms:us-east-1:" + sec + ":key/k", Code: "AccessDeniedException", Class: "access_denied"}}

	dir := t.TempDir()
	snapPath, config := filepath.Join(dir, "snap.json.gz"), filepath.Join(dir, "baseline.yaml")
	if err := snap.WriteFile(snapPath); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, []byte("version: 1\naudit:\n  trusted_accounts: [\"444444444444\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	audit := func(args ...string) []string {
		t.Helper()
		code, stdout, stderr := run(t, append([]string{"audit", "--snapshot", snapPath, "--controls", "org.external-trust", "--format", "json"}, args...)...)
		if code != ExitOK {
			t.Fatalf("audit exit %d: %s", code, stderr)
		}
		var out []string
		for _, f := range decodeAudit(t, stdout).Findings {
			out = append(out, fmt.Sprintf("%s %s %s", f.AccountID, f.Status, f.Resource))
		}
		return out
	}
	got := audit("-f", config)
	for _, want := range []string{
		mgmt + " PASS ",
		work + " FAIL arn:aws:s3:::public",
		work + " ERROR arn:aws:lambda:us-east-1:" + work + ":function:f",
		work + " ERROR ",
		sec + " FAIL tgw-attach-1",
		sec + " ERROR arn:aws:kms:us-east-1:" + sec + ":key/k",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
	if slices.Contains(got, work+" FAIL arn:aws:iam::"+work+":role/partner") || len(got) != 6 {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}

	// Without the tree, an outside account may be a member: ERROR, not FAIL.
	snap.Organization.Full = false
	if err := snap.WriteFile(snapPath); err != nil {
		t.Fatal(err)
	}
	if got := audit(); !slices.Contains(got, sec+" ERROR tgw-attach-1") || !slices.Contains(got, work+" ERROR arn:aws:iam::"+work+":role/partner") ||
		!slices.Contains(got, work+" FAIL arn:aws:s3:::public") {
		t.Errorf("findings without the tree:\n%s", strings.Join(got, "\n"))
	}
}
