package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Headers of a webhook delivery.
const (
	SignatureHeader = "X-Baseline-Signature" // sha256=HEX
	TimestampHeader = "X-Baseline-Timestamp" // Unix seconds
	DeliveryHeader  = "X-Baseline-Delivery"  // the alert id: drop repeats by it
)

// Webhook posts each alert's JSON to an HTTPS endpoint, signed with
// HMAC-SHA256 (see the package documentation for how to verify it).
type Webhook struct {
	url    string
	name   string
	secret []byte
	client *http.Client
}

// NewWebhook returns a signing webhook sink. The URL must be https (or http
// on loopback); the secret must not be empty.
func NewWebhook(rawURL string, secret []byte, client *http.Client) (*Webhook, error) {
	name := secretName("webhook", rawURL)
	if err := checkURL(rawURL, name); err != nil {
		return nil, err
	}
	if len(secret) == 0 {
		return nil, fmt.Errorf("webhook %s: a signing secret is required", name)
	}
	return &Webhook{url: rawURL, name: name, secret: secret, client: client}, nil
}

// checkURL accepts absolute https URLs, and http on loopback: the URL or
// what is posted to it is a secret.
func checkURL(rawURL, name string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s: not an absolute URL", name)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return fmt.Errorf("%s: the URL must be https", name)
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func (w *Webhook) Name() string { return w.name }

func (w *Webhook) Send(ctx context.Context, a *Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := http.Header{}
	h.Set(TimestampHeader, ts)
	h.Set(SignatureHeader, Sign(w.secret, ts, body))
	h.Set(DeliveryHeader, a.ID)
	return postJSON(ctx, w.client, w.url, w.name, body, h)
}

// Sign returns the signature header value for a delivery: "sha256=" and the
// hex HMAC-SHA256, keyed by secret, of the timestamp, a dot and the body.
// The timestamp is signed so that a captured request cannot be replayed
// later under a fresh one.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrStale        = errors.New("webhook: timestamp outside the tolerance")
)

// Verify checks a delivery as a receiver should: the signature matches
// (compared in constant time) and the timestamp is within tolerance of now.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(TimestampHeader)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrStale
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	if !hmac.Equal([]byte(h.Get(SignatureHeader)), []byte(Sign(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}
