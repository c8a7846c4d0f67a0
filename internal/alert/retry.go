package alert

import (
	"context"
	"math/rand/v2"
	"time"
)

// Retry is the backoff between attempts to deliver one alert to one sink:
// exponential from Initial, capped at Max, with full jitter (a random wait
// between zero and the cap) so that many watchers do not retry in step.
type Retry struct {
	Attempts int           `yaml:"attempts"` // default 5
	Initial  time.Duration `yaml:"initial"`  // default 1s
	Max      time.Duration `yaml:"max"`      // default 30s
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.Initial <= 0 {
		r.Initial = time.Second
	}
	if r.Max <= 0 {
		r.Max = 30 * time.Second
	}
	return r
}

// do calls send until it succeeds, fails for good, the attempts run out or
// ctx ends, and returns the attempts made and the last error.
func (r Retry) do(ctx context.Context, send func(context.Context) error) (int, error) {
	r = r.withDefaults()
	for attempt := 1; ; attempt++ {
		err := send(ctx)
		if err == nil || attempt == r.Attempts || !retryable(err) || ctx.Err() != nil {
			return attempt, err
		}
		if err := sleep(ctx, r.backoff(attempt, retryAfter(err))); err != nil {
			return attempt, err
		}
	}
}

// backoff is the wait after the attempt-th failure; a server's Retry-After
// is honoured up to Max.
func (r Retry) backoff(attempt int, after time.Duration) time.Duration {
	ceil := r.Initial
	for i := 1; i < attempt && ceil < r.Max; i++ {
		ceil *= 2
	}
	d := rand.N(min(ceil, r.Max) + 1)
	return min(max(d, after), r.Max)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
