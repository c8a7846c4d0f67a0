package alert

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/awsx"
)

// Sink delivers alerts to one destination. Send may be called from several
// goroutines at once.
type Sink interface {
	// Name is "kind:detail", e.g. "sqs:https://sqs…/alerts" or
	// "slack:hooks.slack.com/… #1a2b3c4d": safe to log (secrets are redacted)
	// and stable, so a dead letter can be replayed to the same sink.
	Name() string
	Send(ctx context.Context, a *Alert) error
}

// Kind is the part of a sink's name before the colon: stdout, sns, sqs,
// slack or webhook. Metrics use it as a label.
func Kind(s Sink) string {
	kind, _, _ := strings.Cut(s.Name(), ":")
	return kind
}

// StatusError is an HTTP answer other than 2xx.
type StatusError struct {
	Code       int
	RetryAfter time.Duration // from a Retry-After header, when given
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// retryable tells whether sending again may succeed: not after a request the
// receiver rejected as such (HTTP 4xx other than timeouts and rate limits,
// AWS access denied or not found). A timed-out attempt is retried: the
// caller checks its own context.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		switch se.Code {
		case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
			return true
		}
		return se.Code < 400 || se.Code >= 500
	}
	switch awsx.Classify(err) {
	case awsx.ClassAccessDenied, awsx.ClassNotFound:
		return false
	}
	return true
}

func retryAfter(err error) time.Duration {
	var se *StatusError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}
