package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Status is the result of a control for one unit or resource.
type Status string

const (
	StatusPass   Status = "PASS"
	StatusFail   Status = "FAIL"
	StatusError  Status = "ERROR"  // could not assess
	StatusManual Status = "MANUAL" // needs an attestation
	StatusSkip   Status = "SKIP"   // not applicable, with the reason
)

// Finding is one result, in the shape of the audit JSON contract.
type Finding struct {
	ControlID string   `json:"control_id"`
	Status    Status   `json:"status"`
	Severity  Severity `json:"severity"`
	AccountID string   `json:"account_id"`
	Region    string   `json:"region"`
	Resource  string   `json:"resource"`
	Reason    string   `json:"reason"`
}

// Eval is what a check sees: the snapshot, the unit it evaluates and the
// audit settings. Checks are pure: everything they need is in here.
type Eval struct {
	Control  *Control
	Snap     *snapshot.Snapshot
	Settings *Settings
	// Account is nil for PerOrg checks.
	Account *snapshot.Account
	// Region and R are set for PerRegion checks.
	Region string
	R      *snapshot.Region
	// Now is the collection time, so that age-based checks give the same
	// answer every time the same snapshot is audited.
	Now time.Time

	errs     ErrorIndex
	findings []Finding
}

// NewEval prepares the evaluation of control c on one unit.
func NewEval(c *Control, snap *snapshot.Snapshot, settings *Settings, errs ErrorIndex, acct *snapshot.Account, region string) *Eval {
	e := &Eval{Control: c, Snap: snap, Settings: settings, Account: acct, Region: region, Now: snap.CollectedAt, errs: errs}
	if acct != nil && region != "" {
		e.R = acct.Regions[region]
	}
	return e
}

// Findings returns what the check reported.
func (e *Eval) Findings() []Finding { return e.findings }

func (e *Eval) add(s Status, resource, format string, args ...any) {
	f := Finding{ControlID: e.Control.ID, Status: s, Severity: e.Control.Severity, Region: e.Region, Resource: resource, Reason: fmt.Sprintf(format, args...)}
	switch {
	case e.Account != nil:
		f.AccountID = e.Account.AccountID
	default:
		f.AccountID = e.Snap.ManagementAccountID()
		if f.AccountID == "" {
			f.AccountID = e.Snap.CallerAccountID
		}
	}
	e.findings = append(e.findings, f)
}

// Pass reports resource ("" for the unit itself) as compliant.
func (e *Eval) Pass(resource, format string, args ...any) {
	e.add(StatusPass, resource, format, args...)
}

// Fail reports resource as not compliant.
func (e *Eval) Fail(resource, format string, args ...any) {
	e.add(StatusFail, resource, format, args...)
}

// Skip reports the control as not applicable to resource.
func (e *Eval) Skip(resource, format string, args ...any) {
	e.add(StatusSkip, resource, format, args...)
}

// NeedsAttestation reports a manual control that no one has attested yet.
func (e *Eval) NeedsAttestation(format string, args ...any) { e.add(StatusManual, "", format, args...) }

// Errorf reports resource as not assessable.
func (e *Eval) Errorf(resource, format string, args ...any) {
	e.add(StatusError, resource, format, args...)
}

// ReadFailed reports resource as not assessable because a read failed.
func (e *Eval) ReadFailed(resource string, err *snapshot.Error) {
	e.add(StatusError, resource, "%s", DescribeReadError(err))
}

// NotCollected reports that the snapshot has no data for service in this
// unit (the collector was not run), which is an ERROR, never a PASS.
func (e *Eval) NotCollected(service string) {
	e.add(StatusError, "", "%s was not collected in this snapshot", service)
}

// Failed returns the error of a read ("service:Operation") for this unit, or nil.
func (e *Eval) Failed(read string) *snapshot.Error {
	acct := ""
	if e.Account != nil {
		acct = e.Account.AccountID
	}
	return e.errs.Find(acct, e.Region, read, "", e.Control.Unit)
}

// FailedOn returns the error of a read that concerned one resource, or nil.
func (e *Eval) FailedOn(read, resource string) *snapshot.Error {
	acct := ""
	if e.Account != nil {
		acct = e.Account.AccountID
	}
	return e.errs.Find(acct, e.Region, read, resource, e.Control.Unit)
}

// Org returns the organization, or nil when none was seen.
func (e *Eval) Org() *snapshot.Organization { return e.Snap.Organization }

// InOrg reports whether the organization is known and its tree was readable.
func (e *Eval) InOrg() bool { return e.Snap.Organization != nil && e.Snap.Organization.Member }

// Management returns the management account's snapshot, or nil when it was not assessed.
func (e *Eval) Management() *snapshot.Account { return e.Snap.Account(e.Snap.ManagementAccountID()) }

// IsManagement reports whether the evaluated account is the management account.
func (e *Eval) IsManagement() bool {
	return e.Account != nil && e.Account.AccountID == e.Snap.ManagementAccountID()
}

// Designated returns the account designated for role ("security",
// "log-archive", "identity", "shared"): the one named in the settings, else
// the only account of that category. It returns nil when none or several.
func (e *Eval) Designated(role string) *snapshot.Account {
	return DesignatedAccount(e.Snap, e.Settings, role)
}

// DesignatedAccount is Eval.Designated for callers outside a check.
func DesignatedAccount(snap *snapshot.Snapshot, s *Settings, role string) *snapshot.Account {
	if ref := s.Designation(role); ref != "" {
		for _, a := range snap.Accounts {
			if a.AccountID == ref || strings.EqualFold(a.Name, ref) {
				return a
			}
		}
		return nil
	}
	var found *snapshot.Account
	for _, a := range snap.Accounts {
		if a.Category == role {
			if found != nil {
				return nil
			}
			found = a
		}
	}
	return found
}

// DescribeReadError turns a failed read into a reason a person can act on.
func DescribeReadError(err *snapshot.Error) string {
	op := err.Service + ":" + err.Operation
	where := ""
	if err.Region != "" {
		where = " in " + err.Region
	}
	if err.Resource != "" {
		where += " for " + err.Resource
	}
	switch err.Class {
	case "access_denied":
		return fmt.Sprintf("access denied to %s%s (%s): grant %s to the audit role", op, where, err.Code, IAMAction(op))
	case "unsupported":
		return fmt.Sprintf("%s%s is not supported by the endpoint (%s)", op, where, err.Code)
	case "opt_in_required":
		return fmt.Sprintf("%s%s: region or service not enabled for the account (%s)", op, where, err.Code)
	case "throttled":
		return fmt.Sprintf("%s%s was throttled after all retries (%s)", op, where, err.Code)
	}
	return fmt.Sprintf("could not read %s%s: %s: %s", op, where, err.Code, err.Message)
}
