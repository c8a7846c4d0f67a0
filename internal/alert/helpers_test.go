package alert

import (
	"context"
	"fmt"
	"github.com/secure-baseline/baseline/internal/detect"
	"sync"
	"time"
)

var t0 = time.Date(2024, 7, 31, 13, 0, 0, 0, time.UTC)

func det(rule, principal string, i int) detect.Detection {
	return detect.Detection{
		RuleID: rule, RuleTitle: "Title of " + rule, Level: "high",
		EventID:   fmt.Sprintf("00000000-0000-0000-0000-%012d", i),
		EventTime: t0.Add(time.Duration(i) * time.Second), EventName: "StopLogging",
		EventSource: "cloudtrail.amazonaws.com", AccountID: "111122223333", Region: "us-east-1",
		PrincipalARN: principal, SourceIP: "198.51.100.7",
	}
}

// memSink records alerts; fail, when set, decides each attempt's error.
type memSink struct {
	name string
	mu   sync.Mutex
	got  []*Alert
	n    int
	fail func(attempt int) error
}

func (m *memSink) Name() string { return m.name }

func (m *memSink) Send(_ context.Context, a *Alert) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	if m.fail != nil {
		if err := m.fail(m.n); err != nil {
			return err
		}
	}
	m.got = append(m.got, a)
	return nil
}

func (m *memSink) alerts() []*Alert {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Alert(nil), m.got...)
}

var fastRetry = Retry{Attempts: 3, Initial: time.Millisecond, Max: 5 * time.Millisecond}
