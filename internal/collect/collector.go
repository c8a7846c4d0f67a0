// Package collect reads AWS into a snapshot. Collectors only read: each one
// declares, next to its code, the narrow read-only interface of the client it
// calls, so tests can hand it a fake and the apply path is the only one that
// ever sees a mutating client.
package collect

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/sched"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Collector reads one service for one account, once (Regional false, in the
// home region) or once per assessed region.
type Collector struct {
	// Service is the short name used in snapshot errors ("iam", "s3", "ec2").
	Service  string
	Regional bool
	Run      func(ctx context.Context, t *Task)
}

var registry = map[string]Collector{}

// Register adds a collector; it panics on a duplicate service name because
// two collectors writing the same part of a snapshot would race.
func Register(c Collector) {
	key := c.Service
	if c.Regional {
		key += "@regional"
	}
	if _, dup := registry[key]; dup {
		panic(fmt.Sprintf("collect: collector %q registered twice", key))
	}
	registry[key] = c
}

// Collectors returns the registered collectors in a stable order.
func Collectors() []Collector {
	out := make([]Collector, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return !out[i].Regional && out[j].Regional
	})
	return out
}

// Task is one collector's view of the work: the account, the region ("" for
// global collectors, which then run in the home region), an AWS config with
// the account's credentials, and where to record failed reads.
type Task struct {
	Account *snapshot.Account
	// Region is the region being read; for global collectors it is "".
	Region string
	// Config is the account's config, already pointed at the region to call.
	Config aws.Config
	// ManagementAccountID is the organization's management account ("" when
	// the caller is in no organization).
	ManagementAccountID string
	Service             string

	sched *sched.Scheduler
	rec   *recorder
}

// Failed records err against operation and reports whether there was one.
// NotFound is data, not failure: collectors test awsx.IsNotFound first.
func (t *Task) Failed(operation string, err error) bool {
	return t.FailedOn(operation, "", err)
}

// FailedOn is Failed for a read that concerned one resource. An operation
// of another service than the collector's is written "service:Operation".
func (t *Task) FailedOn(operation, resource string, err error) bool {
	if err == nil {
		return false
	}
	service := t.Service
	if svc, op, ok := strings.Cut(operation, ":"); ok {
		service, operation = svc, op
	}
	t.rec.add(t.Account.AccountID, t.Region, service, operation, resource, err)
	return true
}

// Fan runs f for every index in [0,n) under the shared concurrency budget.
func (t *Task) Fan(ctx context.Context, n int, f func(ctx context.Context, i int)) {
	t.sched.Fan(ctx, n, f)
}

// RegionOf returns a config for another region of the same account (S3
// buckets are read in their own region).
func (t *Task) RegionOf(region string) aws.Config { return awsx.InRegion(t.Config, region) }

// recorder collects failed reads from concurrent tasks.
type recorder struct {
	mu   sync.Mutex
	errs []snapshot.Error
}

func (r *recorder) add(account, region, service, op, resource string, err error) {
	e := snapshot.Error{
		AccountID: account, Region: region, Service: service, Operation: op, Resource: resource,
		Code: awsx.Code(err), Class: string(awsx.Classify(err)), Message: awsx.Message(err),
	}
	if e.Code == "" {
		e.Code = "Error"
	}
	r.mu.Lock()
	r.errs = append(r.errs, e)
	r.mu.Unlock()
}

// readAliases maps a read ("iam:ListAccountAliases") or the service prefix
// of a read ("s3control:GetPublicAccessBlock") to the collector that makes
// it, where the two differ.
var readAliases = map[string]string{"s3control": "s3", "sso": "iam", "iam:ListAccountAliases": "account"}

// ServicesFor returns the collectors that make the given "service:Operation"
// reads, so a plan collects only what its controls look at. Organizations
// reads are always made (discovery) and need no collector.
func ServicesFor(reads []string) []string {
	seen := map[string]bool{}
	out := []string{} // never nil: reads of Organizations alone need no collector
	for _, r := range reads {
		svc, _, _ := strings.Cut(r, ":")
		if a, ok := readAliases[r]; ok {
			svc = a
		} else if a, ok := readAliases[svc]; ok {
			svc = a
		}
		if seen[svc] {
			continue
		}
		seen[svc] = true
		for _, c := range registry {
			if c.Service == svc {
				out = append(out, svc)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
