package watch

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/secure-baseline/baseline/internal/alert"
)

// Metrics are what /metrics exposes, all named baseline_watch_*.
type Metrics struct {
	Messages   *prometheus.CounterVec // by result: done, retry (left in the queue), unknown (no known envelope)
	Objects    *prometheus.CounterVec // by kind: log (read), digest, insight, other (skipped), bad (corrupt)
	Events     prometheus.Counter
	Duplicates prometheus.Counter
	Detections prometheus.Counter
	Alerts     *prometheus.CounterVec // by sink kind and result: sent, failed, dead_lettered
	Errors     *prometheus.CounterVec // by stage: receive, parse, download, read, visibility, delete
	Lag        prometheus.Gauge       // age of the oldest message of the last batch
	LastPoll   prometheus.Gauge       // when the queue last answered
}

// NewMetrics registers the metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "baseline", Subsystem: "watch", Name: name, Help: help}
	}
	m := &Metrics{
		Messages:   prometheus.NewCounterVec(prometheus.CounterOpts(f("messages_total", "SQS messages handled, by result (done, retry, unknown).")), []string{"result"}),
		Objects:    prometheus.NewCounterVec(prometheus.CounterOpts(f("objects_total", "S3 objects named by messages, by kind (log, digest, insight, other, bad).")), []string{"kind"}),
		Events:     prometheus.NewCounter(prometheus.CounterOpts(f("events_total", "CloudTrail events read."))),
		Duplicates: prometheus.NewCounter(prometheus.CounterOpts(f("duplicate_events_total", "Events dropped as already processed."))),
		Detections: prometheus.NewCounter(prometheus.CounterOpts(f("detections_total", "Detections accepted for alerting (each rule and event once)."))),
		Alerts:     prometheus.NewCounterVec(prometheus.CounterOpts(f("alerts_total", "Alert delivery attempts, by sink kind and result (sent, failed, dead_lettered).")), []string{"sink", "result"}),
		Errors:     prometheus.NewCounterVec(prometheus.CounterOpts(f("errors_total", "Errors, by stage.")), []string{"stage"}),
		Lag:        prometheus.NewGauge(prometheus.GaugeOpts(f("sqs_lag_seconds", "Age of the oldest message of the last batch received (from its SentTimestamp)."))),
		LastPoll:   prometheus.NewGauge(prometheus.GaugeOpts(f("last_receive_timestamp_seconds", "Unix time the queue last answered a receive."))),
	}
	reg.MustRegister(m.Messages, m.Objects, m.Events, m.Duplicates, m.Detections, m.Alerts, m.Errors, m.Lag, m.LastPoll)
	return m
}

// AlertResult counts a delivery attempt: give it as alert.Options.OnResult.
func (m *Metrics) AlertResult(kind string, r alert.Result) {
	m.Alerts.WithLabelValues(kind, string(r)).Inc()
}

// observeLag sets the lag from the oldest of the batch's sent times.
func (m *Metrics) observeLag(msgs []Message, now time.Time) {
	var oldest time.Time
	for _, msg := range msgs {
		if !msg.Sent.IsZero() && (oldest.IsZero() || msg.Sent.Before(oldest)) {
			oldest = msg.Sent
		}
	}
	if !oldest.IsZero() {
		m.Lag.Set(max(0, now.Sub(oldest).Seconds()))
	}
}

// Summary is a line for the end of a run.
func (m *Metrics) Summary() string {
	return fmt.Sprintf("%.0f messages done (%.0f left in the queue), %.0f log files, %.0f events (%.0f duplicates), %.0f detections, alerts: %.0f sent, %.0f dead-lettered",
		sum(m.Messages, "done"), sum(m.Messages, "retry")+sum(m.Messages, "unknown"), sum(m.Objects, "log"),
		read(m.Events), read(m.Duplicates), read(m.Detections), sumAlerts(m.Alerts, "sent"), sumAlerts(m.Alerts, "dead_lettered"))
}

// read is the value of a counter or gauge.
func read(c prometheus.Metric) float64 {
	var d dto.Metric
	if c.Write(&d) != nil {
		return 0
	}
	if d.Gauge != nil {
		return d.Gauge.GetValue()
	}
	return d.Counter.GetValue()
}

func sum(v *prometheus.CounterVec, label string) float64 { return read(v.WithLabelValues(label)) }

// sumAlerts adds a result over every sink kind.
func sumAlerts(v *prometheus.CounterVec, result string) float64 {
	ch := make(chan prometheus.Metric)
	go func() { v.Collect(ch); close(ch) }()
	total := 0.0
	for m := range ch {
		var d dto.Metric
		if m.Write(&d) != nil {
			continue
		}
		for _, l := range d.Label {
			if l.GetName() == "result" && l.GetValue() == result {
				total += d.Counter.GetValue()
			}
		}
	}
	return total
}
