package watch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetricsAndHealth(t *testing.T) {
	r := newRig(t, "StopLogging")
	r.s3.objects[logPrefix+"a.json.gz"] = gzLog(event(1, "StopLogging"), event(2, "DescribeTrails"))
	r.process(t, s3Message("m1", "b", logPrefix+"a.json.gz"))
	r.notifier.Flush()
	var health error
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := Serve(ctx, "127.0.0.1:0", HTTPHandler(r.reg, func() error { return health }), func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/metrics")
	for _, want := range []string{
		"baseline_watch_events_total 2",
		"baseline_watch_detections_total 1",
		`baseline_watch_objects_total{kind="log"} 1`,
		`baseline_watch_messages_total{result="done"} 1`,
		`baseline_watch_alerts_total{result="sent",sink="mem"} 1`,
		"# TYPE baseline_watch_sqs_lag_seconds gauge",
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", code, body)
	}
	health = errors.New("no answer from the queue for 10m0s")
	if code, body := get("/healthz"); code != 503 || !strings.Contains(body, "no answer") {
		t.Fatalf("healthz %d %q", code, body)
	}
}
