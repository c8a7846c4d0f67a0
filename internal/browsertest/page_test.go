package browsertest

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPageSeesWhatGoesWrong checks that what the page tests rely on is
// really caught: console errors, uncaught exceptions, failed loads and
// requests leaving the machine.
func TestPageSeesWhatGoesWrong(t *testing.T) {
	b := Chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "bad.html")
	err := os.WriteFile(page, []byte(`<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body>
<h1 id="title">broken</h1>
<img src="missing.png" alt="">
<img src="https://example.invalid/tracker.png" alt="">
<script>console.error("boom", 42); setTimeout(function () { null.x; }, 0);</script>
</body></html>`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := b.Open(ctx, "file://"+page, 800, 600)
	if err != nil {
		t.Fatal(err)
	}
	var title string
	if err := p.Eval(ctx, `document.getElementById("title").textContent`, &title); err != nil || title != "broken" {
		t.Errorf("Eval = %q, %v", title, err)
	}
	if err := p.Eval(ctx, `no.such.thing`, nil); err == nil {
		t.Error("Eval of a throwing expression succeeded")
	}
	// The exception is thrown after the load: wait for it.
	for !slices.ContainsFunc(p.Problems(), func(s string) bool { return strings.HasPrefix(s, "uncaught:") }) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	problems := strings.Join(p.Problems(), "\n")
	for _, want := range []string{"console.error: boom 42", "uncaught: TypeError", "missing.png"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems do not mention %q:\n%s", want, problems)
		}
	}
	if !slices.Contains(p.Requests(), "https://example.invalid/tracker.png") {
		t.Errorf("requests = %v, want the tracker", p.Requests())
	}

	shot, err := p.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != 800 || got.Y != 600 {
		t.Errorf("screenshot is %v, want 800x600", got)
	}
}
