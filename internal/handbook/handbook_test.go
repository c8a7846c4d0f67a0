package handbook

import (
	"encoding/xml"
	"fmt"
	"html"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/secure-baseline/baseline/internal/attest"
	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/catalog"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// questions are the questions of the goals seed, each of which the FAQ answers.
var questions = []string{
	"Who changed the configuration for the load balancer?",
	"How do I use IAM to secure access to resources?",
	"How can I audit my infrastructure?",
	"What are the right ways to set up CloudTrail?",
	"How do I give developers freedom to experiment without compromising essential security requirements?",
	"Why should I use tags, and what tags should I use?",
}

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// catalogInput is the handbook of the real catalog and rule pack.
func catalogInput(t *testing.T) Input {
	t.Helper()
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return Input{Controls: catalog.All(), Rules: pack, Now: now, ToolVersion: "test"}
}

// liveInput adds the audit of the bundled demo snapshot, with an
// attestation of iam.root-mfa for every account.
func liveInput(t *testing.T) Input {
	t.Helper()
	in := catalogInput(t)
	snap, err := snapshot.ReadFile(filepath.Join("..", "demo", "data", "demo.snapshot.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	att, err := attest.Parse([]byte("attestations:\n  - {control: iam.root-mfa, account: '*', by: alice@example.com, "+
		"date: "+snap.CollectedAt.Format("2006-01-02")+", evidence: https://wiki.example.com/root-mfa}\n"),
		func(id string) (bool, bool) { c, ok := catalog.Get(id); return ok, ok && c.Kind == catalog.Manual })
	if err != nil {
		t.Fatal(err)
	}
	in.Snapshot, in.Attestations = snap, att
	in.Result = audit.Run(snap, audit.Options{Attestations: att})
	return in
}

func markdownFiles(t *testing.T, in Input) map[string]string {
	t.Helper()
	files, err := Markdown(in)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		if _, dup := out[f.Path]; dup {
			t.Errorf("%s written twice", f.Path)
		}
		out[f.Path] = string(f.Data)
	}
	return out
}

func htmlPageOf(t *testing.T, in Input) string {
	t.Helper()
	b, err := HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEveryControlHasItsPage compares the control pages of both formats
// with the catalog, and checks what each page must say.
func TestEveryControlHasItsPage(t *testing.T) {
	in := catalogInput(t)
	files := markdownFiles(t, in)
	page := htmlPageOf(t, in)
	var want []string
	for _, c := range catalog.All() {
		want = append(want, "docs/controls/"+c.ID+".md")
		md := files["docs/controls/"+c.ID+".md"]
		musts := []string{"# " + mdEscape(c.Title), "## Why", mdEscape(c.Rationale), "## How, by hand", c.Steps, "## What baseline does"}
		switch {
		case c.Fix != nil:
			musts = append(musts, "`baseline apply -f baseline.yaml --target "+c.ID+"`")
		case c.Kind == catalog.Manual:
			musts = append(musts, "## Attestation", "control: "+c.ID)
		case c.Kind == catalog.Detective:
			musts = append(musts, "## Related detections")
		}
		if c.Knob != "" {
			musts = append(musts, "`"+c.Knob+"`")
		}
		for _, s := range musts {
			if !strings.Contains(md, s) {
				t.Errorf("%s: the page does not say %q", c.ID, s)
			}
		}
		if !strings.Contains(page, `<section class="page" id="controls/`+c.ID+`"`) {
			t.Errorf("%s: no section in the HTML handbook", c.ID)
		}
		if !strings.Contains(files["mkdocs.yml"], "controls/"+c.ID+".md") {
			t.Errorf("%s: not in the navigation", c.ID)
		}
	}
	var got []string
	for p := range files {
		if strings.HasPrefix(p, "docs/controls/") {
			got = append(got, p)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("control pages = %v\nwant one per control of the catalog: %v", got, want)
	}
	if n := strings.Count(page, `<section class="page" id="controls/`); n != len(want) {
		t.Errorf("%d control sections in the HTML, want %d", n, len(want))
	}
}

// TestEveryStageAndCISIdIsListed checks the roadmap and the cross-walk
// against the catalog.
func TestEveryStageAndCISIdIsListed(t *testing.T) {
	files := markdownFiles(t, catalogInput(t))
	for _, c := range catalog.All() {
		if !strings.Contains(files["docs/roadmap.md"], "{#"+strings.ToLower(c.Stage)+"}") {
			t.Errorf("roadmap: no stage %s (of %s)", c.Stage, c.ID)
		}
		for _, id := range c.CIS {
			if !strings.Contains(files["docs/cis.md"], "| "+id+" | [`"+c.ID+"`]") {
				t.Errorf("cis: no row %s → %s", id, c.ID)
			}
		}
	}
}

// TestEveryRuleIsListed checks the events page against the rule pack.
func TestEveryRuleIsListed(t *testing.T) {
	in := catalogInput(t)
	events := markdownFiles(t, in)["docs/events.md"]
	for _, r := range in.Rules {
		if !strings.Contains(events, "### "+mdEscape(r.Title)+" {#rule-"+r.ID+"}") {
			t.Errorf("rule %s %q has no section", r.ID, r.Title)
		}
	}
	// The CIS rules also reach the alert topic apply sets up.
	if !strings.Contains(events, "[alert topic](events.md#routes) (CIS 5.3)") {
		t.Error("the root activity rules do not say they reach the alert topic")
	}
}

// TestFAQAnswersEveryQuestion checks that each question of the goals seed
// has its section, answered with baseline commands.
func TestFAQAnswersEveryQuestion(t *testing.T) {
	in := catalogInput(t)
	faq := markdownFiles(t, in)["docs/faq.md"]
	page := htmlPageOf(t, in)
	sections := strings.Split(faq, "\n## ")[1:]
	if len(sections) != len(questions) {
		t.Errorf("the FAQ has %d questions, want %d", len(sections), len(questions))
	}
	for i, q := range questions {
		if i >= len(sections) || !strings.HasPrefix(sections[i], mdEscape(q)+" {#") {
			t.Errorf("question %d is not %q", i+1, q)
			continue
		}
		if !strings.Contains(sections[i], "```sh\nbaseline ") {
			t.Errorf("%q: no baseline commands", q)
		}
		if !strings.Contains(page, ">"+html.EscapeString(q)+"</h3>") {
			t.Errorf("%q: not in the HTML handbook", q)
		}
	}
}

var (
	mdFence  = regexp.MustCompile("(?s)```.*?```")
	mdLink   = regexp.MustCompile(`[^\\]\]\(([^)\s]+)\)`) // not an escaped \]
	mdAnchor = regexp.MustCompile(`\{#([^}\s]+)\}`)
	htmlAttr = regexp.MustCompile(`\s(id|href)="([^"]*)"`)
)

// TestMarkdownLinksResolve walks every link of every page, and the
// navigation, and checks that each leads to a file and anchor that exist.
func TestMarkdownLinksResolve(t *testing.T) {
	for name, in := range map[string]Input{"catalog": catalogInput(t), "live": liveInput(t)} {
		t.Run(name, func(t *testing.T) {
			files := markdownFiles(t, in)
			anchors := map[string]bool{}
			for p, text := range files {
				anchors[p] = true
				for _, m := range mdAnchor.FindAllStringSubmatch(text, -1) {
					anchors[p+"#"+m[1]] = true
				}
			}
			links := 0
			for p, text := range files {
				for _, m := range mdLink.FindAllStringSubmatch(mdFence.ReplaceAllString(text, ""), -1) {
					target := m[1]
					if strings.HasPrefix(target, "https://") {
						continue
					}
					links++
					file, anchor, _ := strings.Cut(target, "#")
					resolved := path.Join(path.Dir(p), file)
					if anchor != "" {
						resolved += "#" + anchor
					}
					if !anchors[resolved] {
						t.Errorf("%s: link to %s leads nowhere (%s)", p, target, resolved)
					}
				}
			}
			if links < 500 {
				t.Errorf("only %d internal links found: is the link pattern still right?", links)
			}

			var cfg struct {
				Nav []any `yaml:"nav"`
			}
			// The mermaid fence's Python tag means nothing to Go: read the nav alone.
			nav := files["mkdocs.yml"][strings.Index(files["mkdocs.yml"], "nav:"):]
			if err := yaml.Unmarshal([]byte(nav), &cfg); err != nil {
				t.Fatal(err)
			}
			listed := map[string]bool{}
			var walk func(any)
			walk = func(v any) {
				switch v := v.(type) {
				case string:
					listed["docs/"+v] = true
				case []any:
					for _, e := range v {
						walk(e)
					}
				case map[string]any:
					for _, e := range v {
						walk(e)
					}
				}
			}
			walk(cfg.Nav)
			for p := range files {
				if strings.HasPrefix(p, "docs/") && !listed[p] {
					t.Errorf("%s is not in the navigation", p)
				}
			}
			for p := range listed {
				if files[p] == "" {
					t.Errorf("the navigation lists %s, which is not written", p)
				}
			}
		})
	}
}

// TestHTMLLinksResolve checks every href of the HTML handbook: in-page
// links lead to an element, ids are unique, other links are https.
func TestHTMLLinksResolve(t *testing.T) {
	page := htmlPageOf(t, liveInput(t))
	ids := map[string]int{}
	var hrefs []string
	for _, m := range htmlAttr.FindAllStringSubmatch(page, -1) {
		v := html.UnescapeString(m[2])
		if m[1] == "id" {
			ids[v]++
		} else {
			hrefs = append(hrefs, v)
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q used %d times", id, n)
		}
	}
	for _, h := range hrefs {
		switch {
		case strings.HasPrefix(h, "#"):
			if ids[h[1:]] == 0 {
				t.Errorf("link %s leads nowhere", h)
			}
		case !strings.HasPrefix(h, "https://"):
			t.Errorf("link %s: only in-page and https links are allowed", h)
		}
	}
	if len(hrefs) < 500 {
		t.Errorf("only %d links found", len(hrefs))
	}
	for _, external := range []string{"<script src", "<link rel=\"stylesheet\"", "@import", "url(http"} {
		if strings.Contains(page, external) {
			t.Errorf("the page loads something from elsewhere: %q", external)
		}
	}
}

// TestLiveStatus checks what a snapshot adds: the status of each account on
// each control page, the attestations due, and the status summary.
func TestLiveStatus(t *testing.T) {
	in := liveInput(t)
	files := markdownFiles(t, in)
	s := in.Result.Summary
	tiles := fmt.Sprintf("| %d | %d | %d | %d | %d | %d |", s.Accounts, s.Pass, s.Fail, s.Error, s.Manual, s.Skip)
	if !strings.Contains(files["docs/status.md"], tiles) {
		t.Errorf("status.md does not show the audit's counts %s", tiles)
	}
	for _, a := range in.Snapshot.Accounts {
		label := a.Name + " (" + a.AccountID + ")"
		trail := files["docs/controls/cloudtrail.org-trail.md"]
		if !strings.Contains(trail, "| "+label+" | 1 **") {
			t.Errorf("cloudtrail.org-trail: no status for %s", label)
		}
		// Attested: PASS, due in a year; not attested: MANUAL, due now, with an entry to fill in.
		if !strings.Contains(files["docs/controls/iam.root-mfa.md"], "| "+label+" | **PASS** | attested by alice@example.com") {
			t.Errorf("iam.root-mfa: %s is not shown attested", label)
		}
		hw := files["docs/controls/iam.root-hardware-mfa.md"]
		if !strings.Contains(hw, "| "+label+" | **MANUAL** |") || !strings.Contains(hw, `account: "`+a.AccountID+`"`) {
			t.Errorf("iam.root-hardware-mfa: %s is not shown due", label)
		}
	}
	due := files["docs/status.md"][strings.Index(files["docs/status.md"], "{#attestations}"):]
	if strings.Contains(due, "iam.root-mfa") || !strings.Contains(due, "iam.root-hardware-mfa") {
		t.Error("the attestations due list the attested control, or miss the unattested one")
	}
	if !strings.Contains(files["docs/accounts.md"], "In the audited organization: security (") {
		t.Error("accounts.md does not name the security account of the snapshot")
	}
}

// TestBrokenLinkIsAnError checks that the handbook refuses to link to a
// control the catalog does not have (the FAQ names iam.root-mfa).
func TestBrokenLinkIsAnError(t *testing.T) {
	in := catalogInput(t)
	in.Controls = slices.DeleteFunc(slices.Clone(in.Controls), func(c *catalog.Control) bool { return c.ID == "iam.root-mfa" })
	if _, err := Markdown(in); err == nil || !strings.Contains(err.Error(), "controls/iam.root-mfa") {
		t.Errorf("err = %v, want the broken link named", err)
	}
}

func TestDiagram(t *testing.T) {
	in := liveInput(t)
	md := markdownFiles(t, in)["docs/accounts.md"]
	page := htmlPageOf(t, in)
	svg := page[strings.Index(page, "<svg"):]
	svg = svg[:strings.Index(svg, "</svg>")+len("</svg>")]
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("the SVG is not well-formed: %v", err)
			}
			break
		}
	}
	for _, r := range roles {
		if !strings.Contains(svg, ">"+r.title+"</text>") {
			t.Errorf("SVG: no box for %s", r.title)
		}
		if !strings.Contains(md, "  "+mermaidID(r.id)+`["<b>`+r.title+"</b>") {
			t.Errorf("Mermaid: no node for %s", r.title)
		}
	}
	for _, e := range roleEdges {
		if !strings.Contains(md, mermaidID(e.from)+" -->|"+e.label+"| "+mermaidID(e.to)) {
			t.Errorf("Mermaid: no edge %s → %s", e.from, e.to)
		}
	}
	if strings.Count(svg, "<line ") != len(roleEdges) {
		t.Errorf("SVG: %d lines, want %d", strings.Count(svg, "<line "), len(roleEdges))
	}
}

func TestInlineMarkup(t *testing.T) {
	in := md("Run `baseline audit`, see [the FAQ](faq#iam) and [[iam.root-mfa]], **now**.")
	got := mdRenderer{from: "controls/x"}.inline(in)
	want := "Run `baseline audit`, see [the FAQ](../faq.md#iam) and [`iam.root-mfa`](iam.root-mfa.md), **now**."
	if got != want {
		t.Errorf("Markdown:\n got %s\nwant %s", got, want)
	}
	if got, want := htmlInline(in), `Run <code>baseline audit</code>, see <a href="#faq/iam">the FAQ</a> and `+
		`<a href="#controls/iam.root-mfa"><code>iam.root-mfa</code></a>, <strong>now</strong>.`; got != want {
		t.Errorf("HTML:\n got %s\nwant %s", got, want)
	}
	// Text from the catalog or an account is never markup.
	hostile := text("*not* [a](link) <b>x</b> `y` _z_ #1 &amp;")
	if got, want := (mdRenderer{}).inline(hostile), "\\*not\\* \\[a\\](link) &lt;b>x&lt;/b> \\`y\\` \\_z\\_ \\#1 &amp;amp;"; got != want {
		t.Errorf("escaped Markdown:\n got %s\nwant %s", got, want)
	}
	if got := htmlInline(hostile); strings.Contains(got, "<b>") {
		t.Errorf("escaped HTML: %s", got)
	}
	if got, want := mdCode("a`b"), "`` a`b ``"; got != want {
		t.Errorf("mdCode = %s, want %s", got, want)
	}
}
