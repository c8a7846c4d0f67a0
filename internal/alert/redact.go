package alert

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
)

// secretName names a sink whose URL is a secret (a Slack incoming webhook
// URL is its own credential, and other webhooks often carry tokens in the
// path or query): only the host is shown, with a short fingerprint of the
// whole URL so that two sinks on one host stay apart.
func secretName(kind, rawURL string) string {
	host := "invalid-url"
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		host = u.Host
	}
	sum := sha256.Sum256([]byte(rawURL))
	return fmt.Sprintf("%s:%s/… #%x", kind, host, sum[:4])
}

// redactURLError keeps a secret URL out of an error: net/http quotes the
// whole request URL in the errors it returns.
func redactURLError(err error, name string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, name, ue.Err)
	}
	return err
}
