package controls

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// trailReads are the reads behind every check of the trails covering an account.
var trailReads = []string{"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"}

// coveringTrails returns, once each, the trails that record the evaluated
// account's activity. It reports ERROR and returns false when a region was
// not collected.
func coveringTrails(e *catalog.Eval) ([]snapshot.Trail, bool) {
	trails, ok := trailsCovering(e.Snap, e.Account)
	if !ok {
		e.NotCollected("cloudtrail")
	}
	return trails, ok
}

// trailsCovering returns the trails that record a's activity: its own, and
// the organization trails of the management account (a member sees them as
// shadow trails, or not at all in the emulator). Each trail carries the
// status and selectors of whichever copy has them. It returns false when a
// region of a was not collected.
func trailsCovering(snap *snapshot.Snapshot, a *snapshot.Account) ([]snapshot.Trail, bool) {
	byArn := map[string]*snapshot.Trail{}
	add := func(tr snapshot.Trail) {
		t, ok := byArn[tr.Arn]
		if !ok {
			byArn[tr.Arn] = &tr
			return
		}
		if t.Logging == nil {
			t.Logging = tr.Logging
		}
		if !t.SelectorsRead && tr.SelectorsRead {
			t.Selectors, t.SelectorsRead = tr.Selectors, true
		}
	}
	for _, r := range a.Regions {
		if r.CloudTrail == nil {
			return nil, false
		}
		for _, tr := range r.CloudTrail.Trails {
			add(tr)
		}
	}
	if m := snap.Account(snap.ManagementAccountID()); m != nil && m != a {
		for _, r := range m.Regions {
			if r.CloudTrail == nil {
				continue
			}
			for _, tr := range r.CloudTrail.Trails {
				if tr.Organization && tr.OwnerAccountID == m.AccountID {
					add(tr)
				}
			}
		}
	}
	out := make([]snapshot.Trail, 0, len(byArn))
	for _, t := range byArn {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Arn < out[j].Arn })
	return out, true
}

// trailLabel names a trail in a reason, saying whose it is when it is not
// the evaluated account's.
func trailLabel(e *catalog.Eval, tr *snapshot.Trail) string {
	kind := "trail"
	if tr.Organization {
		kind = "organization trail"
	}
	if tr.OwnerAccountID != "" && tr.OwnerAccountID != e.Account.AccountID {
		return fmt.Sprintf("%s %s of account %s", kind, tr.Name, tr.OwnerAccountID)
	}
	return kind + " " + tr.Name
}

// mainTrails are the covering trails that can be the account's trail of
// record: multi-region, and organization trails when the account is in an
// organization.
func mainTrails(e *catalog.Eval, trails []snapshot.Trail) []snapshot.Trail {
	var out []snapshot.Trail
	for _, tr := range trails {
		if tr.MultiRegion && (tr.Organization || !e.InOrg()) {
			out = append(out, tr)
		}
	}
	return out
}

// eachTrail runs a per-trail check on every covering trail, and fails the
// account when no trail covers it.
func eachTrail(e *catalog.Eval, check func(tr *snapshot.Trail, label string)) {
	trails, ok := coveringTrails(e)
	if !ok {
		return
	}
	if len(trails) == 0 {
		e.Fail("", "no CloudTrail trail records this account's activity")
		return
	}
	for i := range trails {
		check(&trails[i], trailLabel(e, &trails[i]))
	}
}

// statusUnknown reports the trail's logging status as unreadable, naming the
// failed read when there is one.
func statusUnknown(e *catalog.Eval, tr *snapshot.Trail, label string) string {
	if err := e.FailedOn("cloudtrail:GetTrailStatus", tr.Arn); err != nil {
		return fmt.Sprintf("the status of %s could not be read: %s", label, catalog.DescribeReadError(err))
	}
	return fmt.Sprintf("the status of %s could not be read from this account; assess account %s too", label, tr.OwnerAccountID)
}

// readFailures returns the failed reads of op in account (any region when
// region is "", any resource when resource is "*"), for checks that look
// into another account's data or at per-resource failures, which the
// engine's lookup for the unit does not reach.
func readFailures(snap *snapshot.Snapshot, account, region, op, resource string) []*snapshot.Error {
	var out []*snapshot.Error
	for i := range snap.Errors {
		err := &snap.Errors[i]
		if err.AccountID == account && (region == "" || err.Region == region) &&
			err.Service+":"+err.Operation == op && (resource == "*" || err.Resource == resource) {
			out = append(out, err)
		}
	}
	return out
}

// failedReadIn is the first of readFailures, or nil.
func failedReadIn(snap *snapshot.Snapshot, account, region, op, resource string) *snapshot.Error {
	if errs := readFailures(snap, account, region, op, resource); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// arnFields splits an ARN into service, region, account and resource.
func arnFields(arn string) (service, region, account, resource string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) < 6 || p[0] != "arn" {
		return "", "", "", "", false
	}
	return p[2], p[3], p[4], p[5], true
}

// regionState returns the account's state in region, or nil when the account
// or region was not assessed.
func regionState(snap *snapshot.Snapshot, account, region string) *snapshot.Region {
	if a := snap.Account(account); a != nil {
		return a.Regions[region]
	}
	return nil
}

// assessedRegions lists the account's assessed regions in order.
func assessedRegions(a *snapshot.Account) []string { return slices.Sorted(maps.Keys(a.Regions)) }

// logGroupRef locates a log group from its ARN.
type logGroupRef struct{ account, region, name string }

// logGroupOf parses arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*].
func logGroupOf(arn string) logGroupRef {
	_, region, account, res, _ := arnFields(arn)
	name := strings.TrimSuffix(strings.TrimPrefix(res, "log-group:"), ":*")
	return logGroupRef{account: account, region: region, name: name}
}

// designatedAssessed is designated, reporting ERROR as well when the
// designated account could not be assessed.
func designatedAssessed(e *catalog.Eval, role, knob string) *snapshot.Account {
	a := designated(e, role, knob)
	if a != nil && a.Unreachable != "" {
		e.Errorf("", "the %s account %s could not be assessed: %s", role, accountLabel(a), a.Unreachable)
		return nil
	}
	return a
}
