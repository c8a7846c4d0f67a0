package watch

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestDigestAndInsightFilesAreNeverRead(t *testing.T) {
	r := newRig(t, "StopLogging")
	digest := "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/07/31/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20240731T130524Z.json.gz"
	insight := "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/07/31/111122223333_CloudTrail-Insight_us-east-1_20240731T1305Z_abcd.json.gz"
	r.s3.objects[digest] = gzLog(event(1, "StopLogging")) // would be detected if read as events
	r.s3.objects[insight] = gzLog(event(2, "StopLogging"))
	if got := r.process(t, s3Message("m1", "b", digest, insight)); !reflect.DeepEqual(got, []string{"m1"}) {
		t.Fatalf("done %v", got)
	}
	if len(r.s3.gets) != 0 || len(r.index.added) != 0 {
		t.Fatalf("read %v, indexed %v", r.s3.gets, r.index.added)
	}
	if read(r.metrics.Objects.WithLabelValues("digest")) != 1 || read(r.metrics.Objects.WithLabelValues("insight")) != 1 {
		t.Fatal("digest and insight not counted")
	}
}

func TestFailedDownloadLeavesTheMessageForLater(t *testing.T) {
	r := newRig(t, "StopLogging")
	key := logPrefix + "a.json.gz"
	r.s3.objects[key] = gzLog(event(1, "StopLogging"), event(2, "DescribeTrails"))
	r.s3.fail[key] = []error{errors.New("connection reset by peer")}
	other := logPrefix + "b.json.gz"
	r.s3.objects[other] = gzLog(event(3, "StopLogging"))

	if got := r.process(t, s3Message("m1", "b", key), s3Message("m2", "b", other)); !reflect.DeepEqual(got, []string{"m2"}) {
		t.Fatalf("first pass done %v", got)
	}
	if got := r.process(t, s3Message("m1", "b", key)); !reflect.DeepEqual(got, []string{"m1"}) {
		t.Fatalf("second pass done %v", got)
	}
	r.notifier.Flush()
	want := map[string]int{eventID(1): 1, eventID(2): 1, eventID(3): 1}
	if !reflect.DeepEqual(r.index.added, want) || len(r.index.durable) != 3 {
		t.Fatalf("indexed %v (durable %v)", r.index.added, r.index.durable)
	}
	if got := r.sink.alertedEvents(); !reflect.DeepEqual(got, map[string]int{"rule-StopLogging/" + eventID(1): 1, "rule-StopLogging/" + eventID(3): 1}) {
		t.Fatalf("alerted %v", got)
	}
	if read(r.metrics.Errors.WithLabelValues("download")) != 1 || read(r.metrics.Messages.WithLabelValues("retry")) != 1 {
		t.Fatal("the failure is not counted")
	}
}

// A connection cut in the middle of a file: what was read is committed, the
// message comes back, and the second reading adds only the rest.
func TestCutDownloadResumesWithoutDuplicates(t *testing.T) {
	r := newRig(t, "StopLogging")
	key := logPrefix + "big.json.gz"
	var events []string
	for i := range 3000 {
		name := "DescribeTrails"
		if i%100 == 0 {
			name = "StopLogging"
		}
		events = append(events, event(i, name))
	}
	data := gzLog(events...)
	r.s3.objects[key] = data
	r.s3.cut[key] = len(data) / 2

	if got := r.process(t, s3Message("m1", "b", key)); len(got) != 0 {
		t.Fatalf("a cut download was done: %v", got)
	}
	first := len(r.index.durable)
	if first == 0 || first == len(events) {
		t.Fatalf("%d of %d events read before the cut", first, len(events))
	}
	if got := r.process(t, s3Message("m1", "b", key)); len(got) != 1 {
		t.Fatalf("second pass done %v", got)
	}
	r.notifier.Flush()
	for id, n := range r.index.added {
		if n != 1 {
			t.Fatalf("event %s added %d times", id, n)
		}
	}
	alerted := r.sink.alertedEvents()
	if len(r.index.added) != len(events) || len(alerted) != 30 {
		t.Fatalf("%d events indexed, %d alerted", len(r.index.added), len(alerted))
	}
	for k, n := range alerted {
		if n != 1 {
			t.Fatalf("%s alerted %d times", k, n)
		}
	}
}

func TestCorruptOrMissingFilesAreSkipped(t *testing.T) {
	r := newRig(t)
	data := gzLog(event(1, "A"), event(2, "B"), event(3, "C"))
	r.s3.objects[logPrefix+"truncated.json.gz"] = data[:len(data)-12]
	r.s3.objects[logPrefix+"garbage.json"] = []byte(`{"Records":[{"eventID":"x"},nonsense`)
	done := r.process(t, s3Message("m1", "b", logPrefix+"truncated.json.gz"), s3Message("m2", "b", logPrefix+"garbage.json"),
		s3Message("m3", "b", logPrefix+"deleted-meanwhile.json.gz"))
	if !reflect.DeepEqual(done, []string{"m1", "m2", "m3"}) {
		t.Fatalf("done %v", done)
	}
	if read(r.metrics.Objects.WithLabelValues("bad")) != 3 {
		t.Fatalf("bad objects: %v", read(r.metrics.Objects.WithLabelValues("bad")))
	}
}

func TestEventBridgeEventIsProcessed(t *testing.T) {
	r := newRig(t, "StopLogging")
	body := string(readTestdata(t, "eventbridge-cloudtrail-api-call.json"))
	if got := r.process(t, Message{ID: "e1", Body: body}, Message{ID: "e2", Body: body}); len(got) != 2 {
		t.Fatalf("done %v", got)
	}
	r.notifier.Flush()
	id := "5a1c3e9d-2b7f-4c8e-9d0a-1b2c3d4e5f60"
	if r.index.added[id] != 1 || !reflect.DeepEqual(r.sink.alertedEvents(), map[string]int{"rule-StopLogging/" + id: 1}) {
		t.Fatalf("indexed %v, alerted %v", r.index.added, r.sink.alertedEvents())
	}
	if read(r.metrics.Duplicates) != 1 {
		t.Fatal("the repeat is not counted as a duplicate")
	}
}

// The same event in an organization trail's file and an account trail's
// file is one event.
func TestEventInTwoFilesIsOneEvent(t *testing.T) {
	r := newRig(t, "StopLogging")
	r.s3.objects[logPrefix+"account.json.gz"] = gzLog(event(7, "StopLogging"))
	r.s3.objects["AWSLogs/o-aa111bb222/111122223333/CloudTrail/us-east-1/2024/07/31/org.json.gz"] = gzLog(event(7, "StopLogging"))
	r.process(t, s3Message("m1", "b", logPrefix+"account.json.gz", "AWSLogs/o-aa111bb222/111122223333/CloudTrail/us-east-1/2024/07/31/org.json.gz"))
	r.notifier.Flush()
	if r.index.added[eventID(7)] != 1 || len(r.sink.alertedEvents()) != 1 {
		t.Fatalf("indexed %v, alerted %v", r.index.added, r.sink.alertedEvents())
	}
}

func TestUnknownMessageStaysInTheQueue(t *testing.T) {
	r := newRig(t)
	done := r.process(t, Message{ID: "x", Body: `{"hello":"world"}`}, Message{ID: "t", Body: string(readTestdata(t, "s3-test-event.json"))})
	if !reflect.DeepEqual(done, []string{"t"}) || read(r.metrics.Errors.WithLabelValues("parse")) != 1 {
		t.Fatalf("done %v", done)
	}
}

func TestLocalWriteFailureStopsTheBatch(t *testing.T) {
	r := newRig(t, "StopLogging")
	r.s3.objects[logPrefix+"a.json.gz"] = gzLog(event(1, "StopLogging"))
	r.index.fail = errors.New("no space left on device")
	done, err := r.p.Process(context.Background(), []Message{s3Message("m1", "b", logPrefix+"a.json.gz")})
	if err == nil || done != nil {
		t.Fatalf("done %v, err %v", done, err)
	}
	r.notifier.Flush()
	if len(r.sink.alertedEvents()) != 0 {
		t.Fatal("alerted on a batch that was not committed")
	}
}

func TestCancelledBatchKeepsUnfinishedMessages(t *testing.T) {
	r := newRig(t)
	var msgs []Message
	for i := range 5 {
		key := fmt.Sprintf("%s%d.json.gz", logPrefix, i)
		r.s3.objects[key] = gzLog(event(i, "A"))
		msgs = append(msgs, s3Message(fmt.Sprint(i), "b", key))
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.p.s3 = &cancelAfter{S3API: r.s3, n: 2, cancel: cancel}
	done, err := r.p.Process(ctx, msgs)
	if err != nil || len(done) != 1 || len(r.index.durable) != 2 {
		t.Fatalf("done %v, err %v, durable %v", done, err, r.index.durable)
	}
}
