package trust

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// renderFixture has a grant of every style: roles of the workload account
// trusted by an outsider (two of them, drawn as one arrow) and by the
// security account, a bucket shared with an allow-listed vendor, a topic
// open to anyone and a queue open to the organization.
func renderFixture() *Graph {
	snap := testOrg()
	w := snap.Account(workload)
	role := func(name, principal string) snapshot.Role {
		return snapshot.Role{Name: name, Arn: "arn:aws:iam::" + workload + ":role/" + name, TrustPolicy: statement(principal, "")}
	}
	w.Global.IAM.Roles = []snapshot.Role{role("vendor-a", `{"AWS":"999999999999"}`), role("vendor-b", `{"AWS":"999999999999"}`),
		role("audit", `{"AWS":"arn:aws:iam::`+security+`:root"}`)}
	w.Global.S3.Buckets = []snapshot.Bucket{{Name: "exchange", Region: "us-east-1", Policy: statement(`{"AWS":"888888888888"}`, "")}}
	r := w.Regions["us-east-1"]
	r.SNS.Topics = []snapshot.Topic{{Arn: "arn:aws:sns:us-east-1:" + workload + ":open", Policy: statement(`"*"`, "")}}
	r.SQS.Queues = []snapshot.Queue{{Name: "jobs", Arn: "arn:aws:sqs:us-east-1:" + workload + ":jobs",
		Policy: statement(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"`+theOrg+`"}}`)}}
	s := catalog.Defaults()
	s.TrustedAccounts = []string{"888888888888"}
	return Build(snap, s)
}

func TestGolden(t *testing.T) {
	for _, c := range []struct{ format, file string }{{"mermaid", "trust.mmd"}, {"dot", "trust.dot"}} {
		t.Run(c.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, c.format, renderFixture()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/trust -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./internal/trust -update and review the diff", path)
			}
		})
	}
}

// TestHTMLIsOneOfflinePage: the page draws the graph as inline SVG, with
// the report's stylesheet inlined and nothing fetched.
func TestHTMLIsOneOfflinePage(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "html", renderFixture()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"<svg ", "</svg>", "--fail:", `class="edge external"`, `class="edge trusted"`, `class="node outside"`,
		"role trust ×2", "bucket policy: exchange", "any account of " + theOrg, "Outside the organization", "/Workloads"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<link", "@import", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	// Every arrow is drawn between boxes of the picture.
	if n := len(regexp.MustCompile(`<g class="edge[^"]*"><title>`).FindAllString(page, -1)); n != 5 {
		t.Errorf("%d arrows drawn, want 5", n)
	}
}

func TestRenderingIsDeterministic(t *testing.T) {
	for _, f := range Formats {
		var a, b bytes.Buffer
		if err := Write(&a, f, renderFixture()); err != nil {
			t.Fatal(err)
		}
		if err := Write(&b, f, renderFixture()); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two renderings of the same map differ", f)
		}
	}
	if err := Write(&bytes.Buffer{}, "svg", renderFixture()); err == nil {
		t.Error("unknown format accepted")
	}
}
