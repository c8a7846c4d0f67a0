package alert

import (
	"context"
	"errors"
	"github.com/secure-baseline/baseline/internal/detect"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSignKnownAnswer(t *testing.T) {
	// python3: hmac.new(b"topsecret", b'1717171717.{"id":"x"}', hashlib.sha256).hexdigest()
	want := "sha256=be7d8ec8349050ffdc449d2466010e90f8ada83a0f6281a68a2a5dc28695fbfc"
	if got := Sign([]byte("topsecret"), "1717171717", []byte(`{"id":"x"}`)); got != want {
		t.Fatalf("got %s", got)
	}
}

func TestWebhookDeliveryVerifies(t *testing.T) {
	secret := []byte("s3cr3t-webhook-key")
	type delivery struct {
		h    http.Header
		body []byte
	}
	var mu sync.Mutex
	var got []delivery
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, delivery{r.Header.Clone(), b})
		mu.Unlock()
	}))
	defer srv.Close()
	wh, err := NewWebhook(srv.URL+"/hook", secret, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	a := newAlert([]detect.Detection{det("r", "p", 1)})
	if err := wh.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	d := got[0]
	now := time.Now()
	if err := Verify(secret, d.h, d.body, now, 5*time.Minute); err != nil {
		t.Fatalf("verify: %v (headers %v)", err, d.h)
	}
	if d.h.Get(DeliveryHeader) != a.ID || d.h.Get("Content-Type") != "application/json" || !strings.Contains(string(d.body), `"rule_id":"r"`) {
		t.Fatalf("headers %v body %s", d.h, d.body)
	}
	tampered := append([]byte(nil), d.body...)
	tampered[len(tampered)-2] ^= 1
	if err := Verify(secret, d.h, tampered, now, 5*time.Minute); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered body: %v", err)
	}
	if err := Verify([]byte("other"), d.h, d.body, now, 5*time.Minute); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong secret: %v", err)
	}
	// Replayed later: the signed timestamp is stale, and a fresh one does not match.
	if err := Verify(secret, d.h, d.body, now.Add(10*time.Minute), 5*time.Minute); !errors.Is(err, ErrStale) {
		t.Fatalf("replayed: %v", err)
	}
	h := d.h.Clone()
	h.Set(TimestampHeader, "9999999999")
	if err := Verify(secret, h, d.body, time.Unix(9999999999, 0), 5*time.Minute); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("re-stamped: %v", err)
	}
}

// A webhook needs https (or loopback) and a secret; Slack only the former.
func TestSinkURLsMustBeHTTPS(t *testing.T) {
	for _, c := range []struct {
		url    string
		secret string
		ok     bool
	}{
		{"http://hooks.example.com/x", "s", false},
		{"https://hooks.example.com/x", "", false},
		{"hooks.example.com/x", "s", false},
		{"https://hooks.example.com/x", "s", true},
		{"http://127.0.0.1:8080/x", "s", true},
		{"http://localhost/x", "s", true},
	} {
		_, err := NewWebhook(c.url, []byte(c.secret), http.DefaultClient)
		if (err == nil) != c.ok {
			t.Errorf("%s secret %q: err %v", c.url, c.secret, err)
		}
		if _, err := NewSlack(c.url, http.DefaultClient); (err == nil) != (c.ok || c.secret == "") {
			t.Errorf("slack %s: err %v", c.url, err)
		}
	}
}

func TestSlackMessage(t *testing.T) {
	var body string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		if strings.Contains(body, "ratelimit") {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	s, err := NewSlack(srv.URL+"/services/T0/B0/XXXX", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	d := det("r", "arn:aws:sts::111122223333:assumed-role/Admin/<!channel>", 1)
	if err = s.Send(context.Background(), newAlert([]detect.Detection{d, det("r", d.PrincipalARN, 2)})); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"type":"header"`, `"text":"[HIGH] Title of r (2 events)"`, `Admin/\u0026lt;!channel\u0026gt;`, `"type":"section"`, `"type":"context"`} {
		if !strings.Contains(body, want) {
			t.Errorf("payload lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<!channel>") {
		t.Error("a session name can mention @channel")
	}
	d.RuleTitle = "ratelimit"
	err = s.Send(context.Background(), newAlert([]detect.Detection{d}))
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 429 || se.RetryAfter != 7*time.Second || !retryable(err) {
		t.Fatalf("rate limited: %#v", err)
	}
}
