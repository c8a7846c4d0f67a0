package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	json "github.com/goccy/go-json"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Fix is how apply brings an automated control to PASS. Plan is pure, like
// Check: it compares the unit's state in the snapshot with the desired state
// and records changes. Ops carry the changes out, one AWS write at a time.
type Fix struct {
	// Plan records the changes the unit needs (p.Create, p.Update, p.Delete)
	// or why it cannot be fixed automatically (p.Block). Nothing recorded
	// means the unit is already as desired.
	Plan func(p *Planner)
	// Ops execute changes, keyed by Change.Op. Each op is idempotent: run on
	// a resource that already matches, or again after a crash, it succeeds
	// without creating a second copy of anything.
	Ops map[string]Op
}

// Op executes one change with credentials of the change's account, in the
// change's region (the home region for global changes).
type Op func(ctx context.Context, cfg aws.Config, ch *Change) error

// Action is what a change does to its resource.
type Action string

const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Symbol is how plans print the action: + create, ~ update, - delete.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Delete:
		return "-"
	}
	return "?"
}

// Change is one write apply will make, in the shape of the plan JSON contract.
type Change struct {
	ID        string `json:"id"`
	Action    Action `json:"action"`
	ControlID string `json:"control_id"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	Resource  string `json:"resource"`
	Before    any    `json:"before"`
	After     any    `json:"after"`
	// Op names the control's op that carries the change out.
	Op string `json:"op"`
	// DependsOn are resource references (see Ref) whose changes must be
	// done first: the KMS key before the bucket, the bucket before the trail.
	DependsOn []string `json:"depends_on,omitempty"`
}

// Ref is the resource this change touches, as other changes refer to it.
func (c *Change) Ref() string { return Ref(c.AccountID, c.Region, c.Resource) }

// Ref names a resource of an account and region ("" for global) so that a
// change can depend on the changes of another.
func Ref(account, region, resource string) string {
	if region == "" {
		region = "global"
	}
	return account + "/" + region + "/" + resource
}

// Blocked is a unit or resource apply will not change, and why: a default
// VPC that still holds network interfaces, a read that failed, a missing
// designation.
type Blocked struct {
	ControlID string `json:"control_id"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	Resource  string `json:"resource"`
	Reason    string `json:"reason"`
}

// Decode converts a change's Before or After into T. In a freshly computed
// plan they hold the op's own type; in a plan read from a file, decoded JSON.
func Decode[T any](v any) (T, error) {
	var out T
	if t, ok := v.(T); ok {
		return t, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("decoding %T: %w", out, err)
	}
	return out, nil
}

// ManagedTag marks what apply created, so that a later plan adopts it rather
// than creating it again, and people know where it came from.
const (
	ManagedTagKey   = "managed-by"
	ManagedTagValue = "baseline"
)

// Planner is what a fix's Plan sees: the evaluation context of the unit (the
// snapshot, settings, designated accounts) and the recorder of changes.
type Planner struct {
	*Eval
	enabled func(id string) bool
	changes []Change
	blocked []Blocked
}

// NewPlanner prepares the planning of control c on one unit. enabled tells
// whether another control takes part in this plan (a trail is created with
// KMS only when cloudtrail.kms is enabled).
func NewPlanner(e *Eval, enabled func(id string) bool) *Planner {
	return &Planner{Eval: e, enabled: enabled}
}

// Enabled reports whether control id takes part in the plan.
func (p *Planner) Enabled(id string) bool { return p.enabled == nil || p.enabled(id) }

// Changes returns what the plan recorded.
func (p *Planner) Changes() []Change { return p.changes }

// BlockedItems returns what the plan could not change, with the reasons.
func (p *Planner) BlockedItems() []Blocked { return p.blocked }

// Where is a place changes are made: an account and a region ("" for
// global). Most changes are made in the unit being planned (p.Here()); an
// organization-wide control also writes in the log-archive or security account.
type Where struct {
	p       *Planner
	Account string
	Region  string
}

// Here is the unit being planned: its account (the management account for
// organization controls) and region.
func (p *Planner) Here() Where {
	acct := p.Snap.ManagementAccountID()
	if p.Account != nil {
		acct = p.Account.AccountID
	}
	return Where{p: p, Account: acct, Region: p.Region}
}

// At is another account and region.
func (p *Planner) At(account, region string) Where {
	return Where{p: p, Account: account, Region: region}
}

// Ref names resource in this place, for DependsOn.
func (w Where) Ref(resource string) string { return Ref(w.Account, w.Region, resource) }

// Create records the creation of resource with the desired state after.
func (w Where) Create(op, resource string, after any, dependsOn ...string) {
	w.add(Create, op, resource, nil, after, dependsOn)
}

// Update records a change of resource from before to after.
func (w Where) Update(op, resource string, before, after any, dependsOn ...string) {
	w.add(Update, op, resource, before, after, dependsOn)
}

// Delete records the deletion of resource (only what the catalog marks deletable).
func (w Where) Delete(op, resource string, before any, dependsOn ...string) {
	w.add(Delete, op, resource, before, nil, dependsOn)
}

// Block records that resource will not be changed, and why.
func (w Where) Block(resource, format string, args ...any) {
	w.p.blocked = append(w.p.blocked, Blocked{ControlID: w.p.Control.ID, AccountID: w.Account, Region: w.Region,
		Resource: resource, Reason: fmt.Sprintf(format, args...)})
}

func (w Where) add(a Action, op, resource string, before, after any, deps []string) {
	c := w.p.Control
	if c.Fix == nil || c.Fix.Ops[op] == nil {
		// A plan naming an op its control lacks could never be applied:
		// a programming error that every plan test catches.
		panic(fmt.Sprintf("catalog: %s plans op %q it does not define", c.ID, op))
	}
	id := strings.Join([]string{c.ID, w.Account, regionOrGlobal(w.Region), resource, op}, "|")
	w.p.changes = append(w.p.changes, Change{ID: id, Action: a, ControlID: c.ID, AccountID: w.Account, Region: w.Region,
		Resource: resource, Before: before, After: after, Op: op, DependsOn: deps})
}

func regionOrGlobal(r string) string {
	if r == "" {
		return "global"
	}
	return r
}

// Retryable marks an error of a write that will succeed once AWS has caught
// up with an earlier one (a role not yet assumable, a bucket policy not yet
// visible to CloudTrail). Apply retries such errors with backoff.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return &retryableError{err}
}

type retryableError struct{ err error }

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

// IsRetryable reports whether err was marked Retryable.
func IsRetryable(err error) bool {
	var r *retryableError
	return errors.As(err, &r)
}

// ManagedTags returns the tags apply puts on what it creates, plus extra, as
// a sorted map (stable plans).
func ManagedTags(extra map[string]string) map[string]string {
	out := map[string]string{ManagedTagKey: ManagedTagValue}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DesignatedOrBlock returns the account designated for role, or records a
// block on the unit saying how to designate one.
func (p *Planner) DesignatedOrBlock(role string) *snapshot.Account {
	a := p.Designated(role)
	if a == nil {
		key := map[string]string{"shared": "shared_services"}[role]
		if key == "" {
			key = strings.ReplaceAll(role, "-", "_")
		}
		p.Here().Block("", "no %s account is designated: name it in baseline.yaml (organization.%s_account) "+
			"or give exactly one account that category", role, key)
	}
	return a
}

// Failing runs the control's check on the unit and returns its findings that
// are not PASS or SKIP. A fix plans only for those: what already satisfies
// the control (a trail someone else made, a key already rotating) is
// adopted as it is, never duplicated.
func (p *Planner) Failing() []Finding {
	e := NewEval(p.Control, p.Snap, p.Settings, p.errs, p.Account, p.Region)
	p.Control.Check(e)
	var out []Finding
	for _, f := range e.Findings() {
		if f.Status != StatusPass && f.Status != StatusSkip {
			out = append(out, f)
		}
	}
	return out
}
