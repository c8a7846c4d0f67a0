// Package browsertest drives headless Chromium for tests of the HTML pages
// baseline writes (the audit report, the handbook): load a file, collect
// console errors, failed loads and network requests, evaluate JavaScript,
// take screenshots.
//
// It speaks the DevTools protocol over --remote-debugging-pipe: JSON
// messages, NUL-terminated, on file descriptors 3 (to the browser) and 4
// (from it). No port to allocate, no WebSocket client, no new module.
package browsertest

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Browser is a headless Chromium process.
type Browser struct {
	cmd     *exec.Cmd
	conn    *conn
	pipes   []*os.File // our ends of fd 3 and fd 4
	profile string
	stderr  *tail
}

// Start launches the Chromium at path, with a fresh profile, and waits
// until it answers.
func Start(ctx context.Context, path string) (*Browser, error) {
	profile, err := os.MkdirTemp("", "browsertest-")
	if err != nil {
		return nil, err
	}
	b := &Browser{profile: profile, stderr: &tail{max: 8 << 10}}
	// Commands go down one pipe (the browser's fd 3), replies and events
	// come up the other (its fd 4).
	toBrowser, commands, err := os.Pipe()
	if err != nil {
		b.release()
		return nil, err
	}
	b.pipes = append(b.pipes, commands)
	replies, fromBrowser, err := os.Pipe()
	if err != nil {
		toBrowser.Close()
		b.release()
		return nil, err
	}
	b.pipes = append(b.pipes, replies)
	b.cmd = exec.Command(path, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
		"--user-data-dir="+profile, "--no-first-run", "--no-default-browser-check", "--disable-extensions",
		"--hide-scrollbars", "--mute-audio", "about:blank")
	b.cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser}
	b.cmd.Stderr = b.stderr
	err = b.cmd.Start()
	toBrowser.Close() // the child has its own copies
	fromBrowser.Close()
	if err != nil {
		b.release()
		return nil, err
	}
	b.conn = newConn(commands, replies)
	if err := b.conn.call(ctx, "", "Browser.getVersion", nil, nil); err != nil {
		b.Close()
		return nil, fmt.Errorf("chromium did not answer: %w\n%s", err, b.stderr)
	}
	return b, nil
}

// Close ends the browser: politely, then by killing it.
func (b *Browser) Close() error {
	if b.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		b.conn.call(ctx, "", "Browser.close", nil, nil) // the pipe closing is the answer
		cancel()
	}
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		err = fmt.Errorf("chromium did not close, killed it: %v", <-exited)
	}
	b.release()
	return err
}

func (b *Browser) release() {
	for _, f := range b.pipes {
		f.Close()
	}
	os.RemoveAll(b.profile)
}

// Page is a tab: what it loaded, logged and requested.
type Page struct {
	b       *Browser
	session string

	mu       sync.Mutex
	problems []string
	requests []string
}

// Open loads url in a new tab of the given viewport size and waits until
// the document is complete.
func (b *Browser) Open(ctx context.Context, url string, width, height int) (*Page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.conn.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.conn.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	p := &Page{b: b, session: attached.SessionID}
	b.conn.listen(p.session, p.event)
	// Listen before the page loads, so that nothing it logs is missed.
	for _, domain := range []string{"Runtime", "Log", "Network", "Page"} {
		if err := p.call(ctx, domain+".enable", nil, nil); err != nil {
			return nil, err
		}
	}
	if err := p.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		return nil, err
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.call(ctx, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		return nil, err
	}
	if nav.ErrorText != "" {
		return nil, fmt.Errorf("loading %s: %s", url, nav.ErrorText)
	}
	return p, p.waitComplete(ctx, url)
}

// waitComplete polls until the tab shows url, fully loaded. Polling is
// simpler than matching load events to navigations, and as sure.
func (p *Page) waitComplete(ctx context.Context, url string) error {
	want, err := json.Marshal(url) // a JavaScript string; the browser normalizes it as it did location
	if err != nil {
		return err
	}
	for {
		var ready bool
		err := p.Eval(ctx, `document.readyState === "complete" && location.href.split("#")[0] === new URL(`+string(want)+`).href.split("#")[0]`, &ready)
		if err == nil && ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", url, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (p *Page) call(ctx context.Context, method string, params, result any) error {
	return p.b.conn.call(ctx, p.session, method, params, result)
}

// event records what the page reports: console errors, uncaught
// exceptions, error log entries (failed loads, blocked content), requests.
func (p *Page) event(method string, params json.RawMessage) {
	var e struct {
		Type string `json:"type"`
		Args []struct {
			Value       any    `json:"value"`
			Description string `json:"description"`
		} `json:"args"`
		ExceptionDetails struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
		Entry struct {
			Level, Text, URL string
		} `json:"entry"`
		Request struct {
			URL string `json:"url"`
		} `json:"request"`
	}
	if json.Unmarshal(params, &e) != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch method {
	case "Runtime.consoleAPICalled":
		if e.Type == "error" || e.Type == "assert" {
			var args []string
			for _, a := range e.Args {
				s := a.Description
				if a.Value != nil {
					s = fmt.Sprint(a.Value)
				}
				args = append(args, s)
			}
			p.problems = append(p.problems, "console."+e.Type+": "+strings.Join(args, " "))
		}
	case "Runtime.exceptionThrown":
		p.problems = append(p.problems, "uncaught: "+cmp.Or(e.ExceptionDetails.Exception.Description, e.ExceptionDetails.Text))
	case "Log.entryAdded":
		if e.Entry.Level == "error" {
			p.problems = append(p.problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	case "Network.requestWillBeSent":
		p.requests = append(p.requests, e.Request.URL)
	}
}

// Problems are the console errors, uncaught exceptions and error log
// entries of the page so far.
func (p *Page) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Requests are the URLs the page requested so far, itself included.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// Eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its value into out, when not nil.
func (p *Page) Eval(ctx context.Context, expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := p.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r); err != nil {
		return err
	}
	if d := r.ExceptionDetails; d != nil {
		return fmt.Errorf("evaluating %q: %s", expr, cmp.Or(d.Exception.Description, d.Text))
	}
	if out == nil || r.Result.Value == nil {
		return nil
	}
	return json.Unmarshal(r.Result.Value, out)
}

// Screenshot is a PNG of the viewport.
func (p *Page) Screenshot(ctx context.Context) ([]byte, error) {
	var r struct {
		Data string `json:"data"`
	}
	if err := p.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}

// tail keeps the last bytes written to it: the browser's stderr, for
// error messages.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = t.b[over:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
