package apply

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/plan"
)

// journal records the order ops ran in and fails or delays them on demand.
type journal struct {
	mu       sync.Mutex
	ran      []string
	fail     map[string]error
	flaky    map[string]int // resource → retryable failures before success
	inFlight int
	maxPar   int
}

func (j *journal) op(ctx context.Context, _ aws.Config, ch *catalog.Change) error {
	j.mu.Lock()
	j.inFlight++
	j.maxPar = max(j.maxPar, j.inFlight)
	j.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.inFlight--
	if n := j.flaky[ch.Resource]; n > 0 {
		j.flaky[ch.Resource] = n - 1
		return catalog.Retryable(errors.New("not yet"))
	}
	if err := j.fail[ch.Resource]; err != nil {
		return err
	}
	j.ran = append(j.ran, ch.Resource)
	return nil
}

var testJournal = &journal{}

var _ = catalog.Register(&catalog.Control{
	ID: "test.apply", Title: "t", Stage: "F1", Kind: catalog.Automated, Scope: catalog.ScopeAccount, Unit: catalog.PerAccount,
	Severity: catalog.Low, Rationale: "r", Steps: "s", Check: func(*catalog.Eval) {},
	Fix: &catalog.Fix{Plan: func(*catalog.Planner) {}, Ops: map[string]catalog.Op{"do": func(ctx context.Context, cfg aws.Config, ch *catalog.Change) error {
		return testJournal.op(ctx, cfg, ch)
	}}},
})

func change(res string, action catalog.Action, deps ...string) catalog.Change {
	return catalog.Change{ID: "test.apply|1|global|" + res + "|do", Action: action, ControlID: "test.apply", AccountID: "1",
		Resource: res, Op: "do", DependsOn: deps}
}

func ref(res string) string { return catalog.Ref("1", "", res) }

func noCreds(context.Context, string, string) (aws.Config, error) { return aws.Config{}, nil }

func reset() {
	*testJournal = journal{fail: map[string]error{}, flaky: map[string]int{}}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func TestRunOrdersByDependency(t *testing.T) {
	reset()
	// key → bucket → trail; topic → rule; update of the bucket after its creation.
	p := &plan.Plan{Changes: []catalog.Change{
		change("trail", catalog.Create, ref("bucket"), ref("key")),
		change("bucket", catalog.Create, ref("key")),
		change("key", catalog.Create),
		change("rule", catalog.Create, ref("topic")),
		change("topic", catalog.Create),
	}}
	// A second change of the bucket (its policy): same resource, other id.
	pol := change("bucket", catalog.Update)
	pol.ID += "-policy"
	p.Changes = append(p.Changes, pol)
	res, err := Run(context.Background(), p, noCreds, Options{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 6 || res.Failed+res.Skipped != 0 {
		t.Fatalf("result %+v", res)
	}
	ran := testJournal.ran
	for _, order := range [][2]string{{"key", "bucket"}, {"bucket", "trail"}, {"key", "trail"}, {"topic", "rule"}} {
		if indexOf(ran, order[0]) > indexOf(ran, order[1]) {
			t.Fatalf("%s ran after %s: %v", order[0], order[1], ran)
		}
	}
	if testJournal.maxPar < 2 {
		t.Fatalf("independent changes did not run concurrently (max %d in flight)", testJournal.maxPar)
	}
}

func TestRunFailureSkipsOnlyDependents(t *testing.T) {
	reset()
	testJournal.fail["key"] = errors.New("AccessDenied")
	p := &plan.Plan{Changes: []catalog.Change{
		change("key", catalog.Create),
		change("bucket", catalog.Create, ref("key")),
		change("trail", catalog.Create, ref("bucket")),
		change("topic", catalog.Create),
	}}
	res, err := Run(context.Background(), p, noCreds, Options{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 1 || res.Failed != 1 || res.Skipped != 2 {
		t.Fatalf("done %d failed %d skipped %d, want 1 1 2", res.Done, res.Failed, res.Skipped)
	}
	for _, ev := range res.Events {
		if ev.Change.Resource == "trail" && (ev.Status != Skipped || !strings.Contains(ev.Err.Error(), "key")) {
			t.Fatalf("trail: %s %v, want skipped naming the failed key change", ev.Status, ev.Err)
		}
	}
}

func TestRunRetriesRetryable(t *testing.T) {
	reset()
	testJournal.flaky["role"] = 2
	testJournal.fail["denied"] = errors.New("AccessDenied")
	p := &plan.Plan{Changes: []catalog.Change{change("role", catalog.Create), change("denied", catalog.Create)}}
	res, err := Run(context.Background(), p, noCreds, Options{Backoff: time.Millisecond, RetryFor: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range res.Events {
		switch ev.Change.Resource {
		case "role":
			if ev.Status != Done || ev.Attempts != 3 {
				t.Fatalf("role: %s after %d attempts, want done after 3", ev.Status, ev.Attempts)
			}
		case "denied":
			if ev.Status != Failed || ev.Attempts != 1 {
				t.Fatalf("denied: %s after %d attempts, want failed at once", ev.Status, ev.Attempts)
			}
		}
	}
}

func TestCycleIsRejected(t *testing.T) {
	p := &plan.Plan{Changes: []catalog.Change{change("a", catalog.Create, ref("b")), change("b", catalog.Create, ref("a"))}}
	if _, err := Run(context.Background(), p, noCreds, Options{}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("err %v, want a cycle", err)
	}
	if d, err := Depth([]catalog.Change{change("k", catalog.Create), change("b", catalog.Create, ref("k")), change("t", catalog.Create, ref("b"))}); err != nil || d != 3 {
		t.Fatalf("depth %d %v, want 3", d, err)
	}
}
