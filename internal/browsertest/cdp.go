package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// conn is a DevTools protocol connection over a pipe: JSON messages, each
// terminated by a NUL byte. Commands carry an id their reply echoes;
// events carry a method and, for a page, the id of its session.
type conn struct {
	wmu sync.Mutex // one message at a time on w
	w   io.Writer

	mu        sync.Mutex
	next      int64
	pending   map[int64]chan message
	listeners map[string]func(method string, params json.RawMessage) // by session id
	err       error                                                  // why reading stopped
	done      chan struct{}                                          // closed when reading stopped
}

type message struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    any             `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *protocolError  `json:"error,omitempty"`
}

// incoming is a message as read: params stay raw until a listener decodes them.
type incoming struct {
	message
	Params json.RawMessage `json:"params,omitempty"`
}

type protocolError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *protocolError) Error() string { return fmt.Sprintf("%s (%d)", e.Message, e.Code) }

// newConn starts reading r; commands are written to w.
func newConn(w io.Writer, r io.Reader) *conn {
	c := &conn{w: w, pending: map[int64]chan message{}, listeners: map[string]func(string, json.RawMessage){},
		done: make(chan struct{})}
	go c.read(r)
	return c
}

func (c *conn) read(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		b, err := br.ReadBytes(0)
		if err != nil {
			c.stop(fmt.Errorf("devtools pipe closed: %w", err))
			return
		}
		var m incoming
		if err := json.Unmarshal(b[:len(b)-1], &m); err != nil {
			c.stop(fmt.Errorf("devtools message: %w", err))
			return
		}
		c.mu.Lock()
		reply, listen := c.pending[m.ID], c.listeners[m.SessionID]
		delete(c.pending, m.ID)
		c.mu.Unlock()
		switch {
		case m.ID != 0 && reply != nil:
			reply <- m.message
		case m.ID == 0 && listen != nil:
			// Listeners run on the reading goroutine: they must only record.
			listen(m.Method, m.Params)
		}
	}
}

// stop fails every command waiting for a reply, and every later one.
func (c *conn) stop(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
	}
}

// listen routes the events of a session (or "" for the browser's) to f.
func (c *conn) listen(session string, f func(method string, params json.RawMessage)) {
	c.mu.Lock()
	c.listeners[session] = f
	c.mu.Unlock()
}

// call sends a command and decodes its result into result (when not nil).
func (c *conn) call(ctx context.Context, session, method string, params, result any) error {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.next++
	id := c.next
	reply := make(chan message, 1)
	c.pending[id] = reply
	c.mu.Unlock()

	b, err := json.Marshal(message{ID: id, Method: method, SessionID: session, Params: params})
	if err == nil {
		c.wmu.Lock()
		_, err = c.w.Write(append(b, 0))
		c.wmu.Unlock()
	}
	if err != nil {
		c.forget(id)
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-reply:
		if m.Error != nil {
			return fmt.Errorf("%s: %w", method, m.Error)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-c.done:
		return fmt.Errorf("%s: %w", method, c.err)
	case <-ctx.Done():
		c.forget(id)
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *conn) forget(id int64) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}
