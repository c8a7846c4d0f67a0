package alert

import (
	"bytes"
	"context"
	"github.com/secure-baseline/baseline/internal/detect"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// Secrets never reach logs, errors, sink names or the dead-letter file.
func TestSecretsAreRedacted(t *testing.T) {
	const slackToken, hookToken, hmacSecret = "T0SECRET/B0SECRET/xoxbSECRETtoken", "tok3nInPath", "hmac-secret-value"
	refused := func() string { // a port nobody listens on: net/http quotes the URL in its error
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return "http://" + l.Addr().String()
	}()
	failing := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer failing.Close()

	cfg := Config{
		Slack:    []SlackConfig{{URL: refused + "/services/" + slackToken}},
		Webhooks: []WebhookConfig{{URL: failing.URL + "/" + hookToken + "?key=" + hookToken, SecretEnv: "HOOK_SECRET"}},
	}
	sinks, err := cfg.Sinks(Clients{HTTP: failing.Client(), Getenv: func(k string) string {
		if k == "HOOK_SECRET" {
			return hmacSecret
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	dir := t.TempDir()
	n, err := Open(Options{Sinks: sinks, Window: time.Hour, Retry: fastRetry, StateDir: dir,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Notify([]detect.Detection{det("r", "p", 1)}); err != nil {
		t.Fatal(err)
	}
	n.Close(context.Background())

	dead, err := os.ReadFile(n.DeadLetterPath())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sinks {
		names = append(names, s.Name())
	}
	all := logs.String() + string(dead) + strings.Join(names, " ")
	for _, secret := range []string{"T0SECRET", "xoxbSECRETtoken", hookToken, hmacSecret} {
		if strings.Contains(all, secret) {
			t.Errorf("%q leaked:\n%s", secret, all)
		}
	}
	if !strings.Contains(string(dead), "connection refused") || !strings.Contains(string(dead), "HTTP 502") ||
		strings.Count(string(dead), "\n") != 2 || !strings.Contains(logs.String(), "alert dead-lettered") {
		t.Fatalf("dead letters:\n%s\nlogs:\n%s", dead, logs.String())
	}
	if !strings.HasPrefix(names[0], "slack:127.0.0.1:") || !strings.Contains(names[0], "/… #") {
		t.Fatalf("slack sink name %q", names[0])
	}
}

func TestMissingSecretsAreErrors(t *testing.T) {
	none := func(string) string { return "" }
	for _, cfg := range []Config{
		{Slack: []SlackConfig{{URLEnv: "SLACK_URL"}}},
		{Webhooks: []WebhookConfig{{URL: "https://example.com/x", SecretEnv: "NOPE"}}},
		{Webhooks: []WebhookConfig{{URL: "https://example.com/x"}}},
	} {
		if _, err := cfg.Sinks(Clients{Getenv: none}); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
