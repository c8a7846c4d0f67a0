package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// fakeBrowser is the other end of a conn: it reads commands and writes
// what the test tells it to.
type fakeBrowser struct {
	commands *bufio.Reader
	out      io.WriteCloser
}

func newFake(t *testing.T) (*conn, *fakeBrowser) {
	cmdR, cmdW := io.Pipe()
	outR, outW := io.Pipe()
	t.Cleanup(func() { cmdR.Close(); outW.Close() })
	return newConn(cmdW, outR), &fakeBrowser{commands: bufio.NewReader(cmdR), out: outW}
}

// next reads one command.
func (f *fakeBrowser) next(t *testing.T) map[string]any {
	t.Helper()
	b, err := f.commands.ReadBytes(0)
	if err != nil {
		t.Error(err)
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b[:len(b)-1], &m); err != nil {
		t.Errorf("command %q: %v", b, err)
	}
	return m
}

func (f *fakeBrowser) send(t *testing.T, msg string) {
	t.Helper()
	if _, err := io.WriteString(f.out, msg+"\x00"); err != nil {
		t.Error(err)
	}
}

func TestCallMatchesRepliesAndRoutesEvents(t *testing.T) {
	c, f := newFake(t)
	events := make(chan string, 2)
	c.listen("s1", func(method string, params json.RawMessage) { events <- method + " " + string(params) })

	results := make(chan string, 2)
	for _, method := range []string{"A.one", "B.two"} {
		go func() {
			var r struct{ V string }
			if err := c.call(context.Background(), "s1", method, map[string]int{"n": 1}, &r); err != nil {
				results <- "error: " + err.Error()
				return
			}
			results <- method + "=" + r.V
		}()
	}
	first, second := f.next(t), f.next(t)
	for _, m := range []map[string]any{first, second} {
		if m["sessionId"] != "s1" || m["params"].(map[string]any)["n"] != 1.0 {
			t.Errorf("command %v: want session s1 and params", m)
		}
	}
	// An event, an event of another session, then the replies in reverse order.
	f.send(t, `{"method":"Page.loadEventFired","sessionId":"s1","params":{"timestamp":1}}`)
	f.send(t, `{"method":"Page.loadEventFired","sessionId":"other","params":{}}`)
	for _, m := range []map[string]any{second, first} {
		f.send(t, fmt.Sprintf(`{"id":%v,"result":{"V":%q}}`, m["id"], m["method"]))
	}
	got := map[string]bool{<-results: true, <-results: true}
	if !got["A.one=A.one"] || !got["B.two=B.two"] {
		t.Errorf("results = %v", got)
	}
	if e := <-events; e != `Page.loadEventFired {"timestamp":1}` {
		t.Errorf("event = %q", e)
	}
	select {
	case e := <-events:
		t.Errorf("event of another session delivered: %q", e)
	default:
	}
}

func TestCallReturnsProtocolErrors(t *testing.T) {
	c, f := newFake(t)
	errc := make(chan error, 1)
	go func() { errc <- c.call(context.Background(), "", "Nope.nope", nil, nil) }()
	m := f.next(t)
	f.send(t, fmt.Sprintf(`{"id":%v,"error":{"code":-32601,"message":"'Nope.nope' wasn't found"}}`, m["id"]))
	var pe *protocolError
	if err := <-errc; !errors.As(err, &pe) || pe.Code != -32601 || !strings.Contains(err.Error(), "Nope.nope") {
		t.Errorf("err = %v, want the protocol error", err)
	}
}

func TestCallFailsOnceThePipeCloses(t *testing.T) {
	c, f := newFake(t)
	errc := make(chan error, 1)
	go func() { errc <- c.call(context.Background(), "", "Page.navigate", nil, nil) }()
	f.next(t)
	f.out.Close() // the browser died
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "pipe closed") {
			t.Errorf("pending call: err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a pending call hangs after the pipe closed")
	}
	if err := c.call(context.Background(), "", "Page.reload", nil, nil); err == nil {
		t.Error("a call after the pipe closed succeeded")
	}
}

func TestCallHonoursItsContext(t *testing.T) {
	c, f := newFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	go f.next(t)
	if err := c.call(ctx, "", "Runtime.evaluate", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) != 0 {
		t.Errorf("%d calls still pending after their context ended", len(c.pending))
	}
}

func TestMalformedMessageStopsTheConnection(t *testing.T) {
	c, f := newFake(t)
	errc := make(chan error, 1)
	go func() { errc <- c.call(context.Background(), "", "Browser.getVersion", nil, nil) }()
	f.next(t)
	f.send(t, `{"id":`)
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "devtools message") {
		t.Errorf("err = %v", err)
	}
}
