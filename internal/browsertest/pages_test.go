package browsertest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/audit"
	"github.com/secure-baseline/baseline/internal/browsertest"
	"github.com/secure-baseline/baseline/internal/catalog"
	_ "github.com/secure-baseline/baseline/internal/controls"
	"github.com/secure-baseline/baseline/internal/handbook"
	"github.com/secure-baseline/baseline/internal/report"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The viewport of the page tests and their screenshots, and the narrower
// ones (a small laptop, a phone) the pages must fit too.
const width, height = 1280, 800

var narrower = []int{1024, 390}

// demo is the bundled demo snapshot, its audit and the audit's JSON
// summary, as `baseline audit --snapshot demo.snapshot.json.gz --format json` writes it.
func demo(t *testing.T) (*snapshot.Snapshot, *audit.Result, audit.Summary) {
	t.Helper()
	snap, err := snapshot.ReadFile(filepath.Join("..", "demo", "data", "demo.snapshot.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	res := audit.Run(snap, audit.Options{})
	var buf bytes.Buffer
	if err := report.Write(&buf, "json", report.Input{Result: res, Snapshot: snap, Now: snap.CollectedAt}); err != nil {
		t.Fatal(err)
	}
	var out struct{ Summary audit.Summary }
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Summary.Pass == 0 || out.Summary.Fail == 0 {
		t.Fatalf("the demo's summary shows nothing to compare: %+v", out.Summary)
	}
	return snap, res, out.Summary
}

// TestHTMLInChromium loads the audit report and the handbook of the demo
// organization in headless Chromium: no console error, no request leaving
// the machine, every in-page link leads somewhere, the numbers shown are
// the audit's, the layout fits the viewport, and a screenshot is not blank.
func TestHTMLInChromium(t *testing.T) {
	b := browsertest.Chromium(t)
	snap, res, summary := demo(t)
	dir := t.TempDir()

	var rep bytes.Buffer
	if err := report.Write(&rep, "html", report.Input{Result: res, Snapshot: snap, Now: snap.CollectedAt}); err != nil {
		t.Fatal(err)
	}
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	book, err := handbook.HTML(handbook.Input{Controls: catalog.All(), Rules: pack, Result: res, Snapshot: snap, Now: snap.CollectedAt})
	if err != nil {
		t.Fatal(err)
	}
	tiles := map[string]int{"count-accounts": summary.Accounts, "count-pass": summary.Pass, "count-fail": summary.Fail,
		"count-error": summary.Error, "count-manual": summary.Manual, "count-skip": summary.Skip}

	t.Run("audit report", func(t *testing.T) {
		p := open(t, b, dir, "report.html", rep.Bytes())
		expectNumbers(t, p, tiles)
		screenshot(t, p, "report.png")
	})

	t.Run("handbook", func(t *testing.T) {
		p := open(t, b, dir, "handbook.html", book)
		controls := len(catalog.All())
		expectNumbers(t, p, map[string]int{"count-controls": controls, "count-rules": len(pack)})
		expectNumbers(t, p, tiles)
		var sections int
		eval(t, p, `document.querySelectorAll('section.page[id^="controls/"]').length`, &sections)
		if sections != controls {
			t.Errorf("%d control pages, the catalog has %d controls", sections, controls)
		}
		var svg float64
		eval(t, p, `document.querySelector("figure.diagram svg").getBoundingClientRect().width`, &svg)
		if svg < 300 {
			t.Errorf("the account diagram is %vpx wide", svg)
		}
		// The search finds a control's page by words of its title.
		var hits []string
		eval(t, p, `(() => {
			const input = document.getElementById("search-input");
			input.value = "root MFA hardware";
			input.dispatchEvent(new Event("input"));
			return [...document.querySelectorAll("#search-results a")].map(a => a.getAttribute("href"));
		})()`, &hits)
		if len(hits) == 0 || hits[0] != "#controls/iam.root-hardware-mfa" {
			t.Errorf("search for root MFA hardware: %v", hits)
		}
		screenshot(t, p, "handbook.png")
	})
}

// open loads a page written to dir and checks what every page must pass.
func open(t *testing.T, b *browsertest.Browser, dir, name string, page []byte) *browsertest.Page {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + path
	p, err := b.Open(ctx(t), url, width, height)
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range p.Problems() {
		t.Errorf("%s: %s", name, problem)
	}
	for _, r := range p.Requests() {
		if r != url && !strings.HasPrefix(r, "data:") {
			t.Errorf("%s requested %s: a page must not fetch anything", name, r)
		}
	}
	var dups []string
	eval(t, p, `[...document.querySelectorAll("[id]")].map(e => e.id).filter((id, i, all) => all.indexOf(id) !== i)`, &dups)
	if len(dups) > 0 {
		t.Errorf("%s: ids used more than once: %v", name, dups)
	}
	var broken []string
	eval(t, p, `[...document.querySelectorAll('a[href^="#"]')].map(a => decodeURIComponent(a.hash.slice(1))).filter(id => !document.getElementById(id))`, &broken)
	if len(broken) > 0 {
		t.Errorf("%s: %d links lead nowhere: %v", name, len(broken), broken)
	}
	fits(t, p, name, width)
	for _, w := range narrower {
		q, err := b.Open(ctx(t), url, w, height)
		if err != nil {
			t.Fatal(err)
		}
		fits(t, q, name, w)
	}
	return p
}

// fits checks that a page needs no horizontal scrolling at width w.
func fits(t *testing.T, p *browsertest.Page, name string, w int) {
	t.Helper()
	var overflow int
	eval(t, p, `document.documentElement.scrollWidth - window.innerWidth`, &overflow)
	if overflow > 0 {
		t.Errorf("%s is %dpx wider than a %dpx viewport", name, overflow, w)
	}
}

// expectNumbers compares the numbers shown in elements with the wanted ones.
func expectNumbers(t *testing.T, p *browsertest.Page, want map[string]int) {
	t.Helper()
	for id, n := range want {
		var shown string
		eval(t, p, `document.getElementById("`+id+`").textContent`, &shown)
		if shown != strconv.Itoa(n) {
			t.Errorf("#%s shows %q, want %d", id, shown, n)
		}
	}
}

// screenshot writes a PNG of the viewport to the test's artifacts (kept
// with go test -artifacts) and checks that it is the viewport's size and
// not blank.
func screenshot(t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	shot, err := p.Screenshot(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got != image.Pt(width, height) {
		t.Errorf("%s is %v, want %dx%d", name, got, width, height)
	}
	if ink := inked(img); ink < 0.02 {
		t.Errorf("%s is blank: %.1f%% of its pixels differ from the background", name, 100*ink)
	}
}

// inked is the share of pixels that differ from the top-left one, the
// page's background.
func inked(img image.Image) float64 {
	r := img.Bounds()
	bg := img.At(r.Min.X, r.Min.Y)
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.At(x, y) != bg {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}

func eval(t *testing.T, p *browsertest.Page, expr string, out any) {
	t.Helper()
	if err := p.Eval(ctx(t), expr, out); err != nil {
		t.Fatal(err)
	}
}

// ctx bounds one browser operation; the machine may be loaded.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}
