package controls

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
)

// What every fix shares: which findings a plan acts on, how an op is made
// from a function of its change's After, and how ops read AWS errors.

// failures runs the control's check on the unit and returns what FAILs.
// The rest that does not pass (ERROR: what could not be assessed) is
// blocked with the check's reason, never acted on blindly. Call it once
// per unit.
func failures(p *catalog.Planner) []catalog.Finding {
	var out []catalog.Finding
	for _, f := range p.Failing() {
		if f.Status == catalog.StatusFail {
			out = append(out, f)
			continue
		}
		p.At(f.AccountID, f.Region).Block(f.Resource, "cannot plan: %s", f.Reason)
	}
	return out
}

// planned reports whether the planner already recorded the creation of ref:
// two needs of a control can meet on one resource (a bucket, a role) within
// its plan of a unit.
func planned(p *catalog.Planner, ref string) bool {
	return slices.ContainsFunc(p.Changes(), func(c catalog.Change) bool { return c.Action == catalog.Create && c.Ref() == ref })
}

// decodedOp decodes a change's After into T and runs do with it.
func decodedOp[T any](do func(context.Context, aws.Config, T) error) catalog.Op {
	return func(ctx context.Context, cfg aws.Config, ch *catalog.Change) error {
		v, err := catalog.Decode[T](ch.After)
		if err != nil {
			return err
		}
		return do(ctx, cfg, v)
	}
}

// opsOf merges op maps: a control's ops are those of the writes it may own.
func opsOf(sets ...map[string]catalog.Op) map[string]catalog.Op {
	out := map[string]catalog.Op{}
	for _, s := range sets {
		maps.Copy(out, s)
	}
	return out
}

// hasCode reports whether err is an AWS error with one of the codes: how
// ops recognise "already exists" and "already gone", which they treat as
// done.
func hasCode(err error, codes ...string) bool {
	return err != nil && slices.Contains(codes, awsx.Code(err))
}

// retryOn marks err retryable when it has one of the codes: the refusals of
// a write that follows another too closely (a role, policy or bucket just
// made and not yet visible), which pass once AWS has caught up.
func retryOn(err error, codes ...string) error {
	if hasCode(err, codes...) {
		return catalog.Retryable(err)
	}
	return err
}

// notYet marks retryable the not-found error of a write to what was just
// created (a role, user, topic or bucket), which AWS does not show
// everywhere at once.
func notYet(err error) error {
	if awsx.IsNotFound(err) {
		return catalog.Retryable(err)
	}
	return err
}

// tagList converts tags into a service's tag type, made by tag, in key
// order (stable requests).
func tagList[T any](tags map[string]string, tag func(key, value *string) T) []T {
	out := make([]T, 0, len(tags))
	for _, k := range catalog.SortedKeys(tags) {
		out = append(out, tag(aws.String(k), aws.String(tags[k])))
	}
	return out
}

// managedTagList is tagList of the tags apply puts on what it creates.
func managedTagList[T any](tag func(key, value *string) T) []T {
	return tagList(catalog.ManagedTags(nil), tag)
}
