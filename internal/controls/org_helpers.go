package controls

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/policy"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The Organizations reads behind the org-level controls.
var (
	orgTreeReads = []string{"organizations:DescribeOrganization", "organizations:ListRoots",
		"organizations:ListOrganizationalUnitsForParent", "organizations:ListAccountsForParent"}
	orgPolicyReads     = []string{"organizations:ListPolicies", "organizations:DescribePolicy", "organizations:ListTargetsForPolicy"}
	orgDelegationReads = []string{"organizations:ListDelegatedAdministrators", "organizations:ListDelegatedServicesForAccount"}
)

const (
	scpType      = "SERVICE_CONTROL_POLICY"
	aiOptOutType = "AISERVICES_OPT_OUT_POLICY"
)

func orgReads(groups ...[]string) []string { return slices.Concat(groups...) }

// orgOf returns the caller's organization; when there is none it reports
// FAIL (no organization, so no organization-wide guardrail) or ERROR (not
// collected) and returns nil.
func orgOf(e *catalog.Eval) *snapshot.Organization {
	o := e.Org()
	switch {
	case o == nil:
		e.NotCollected("organizations")
	case !o.Member:
		e.Fail("", "account %s is in no AWS Organization: create one (see org.member)", e.Snap.CallerAccountID)
	default:
		return o
	}
	return nil
}

// orgTree is orgOf for the controls that need the tree, the policies and the
// delegated administrators, which only the management account or a
// delegated administrator can read.
func orgTree(e *catalog.Eval) *snapshot.Organization {
	o := orgOf(e)
	if o != nil && !o.Full {
		e.Errorf("", "the organization's tree and policies were not read (organizations:ListRoots, ListPolicies): "+
			"audit with --org from the management account %s or a delegated administrator", o.ManagementAccountID)
		return nil
	}
	return o
}

// readErrorsOf returns the failed reads of the given operations
// ("service:Operation") in account ("" for any), whatever their resource:
// the reads the engine's Reads matching does not see.
func readErrorsOf(snap *snapshot.Snapshot, account string, ops ...string) []string {
	var out []string
	for i := range snap.Errors {
		err := &snap.Errors[i]
		if (account == "" || err.AccountID == account) && slices.Contains(ops, err.Service+":"+err.Operation) {
			out = append(out, catalog.DescribeReadError(err))
		}
	}
	return out
}

// orgAccountLabel names an account of the tree in a reason: "222222222222 (dev)".
func orgAccountLabel(a snapshot.OrgAccount) string {
	if a.Name == "" {
		return a.ID
	}
	return fmt.Sprintf("%s (%s)", a.ID, a.Name)
}

// activeMembers are the organization's accounts that SCPs govern: every
// active account but the management account.
func activeMembers(o *snapshot.Organization) []snapshot.OrgAccount {
	var out []snapshot.OrgAccount
	for _, a := range o.Accounts {
		if a.ID != o.ManagementAccountID && (a.Status == "" || a.Status == "ACTIVE") {
			out = append(out, a)
		}
	}
	return out
}

// rootsWithout lists the roots on which policy type typ is not enabled.
func rootsWithout(o *snapshot.Organization, typ string) []string {
	var out []string
	for _, r := range o.Roots {
		if !slices.Contains(r.EnabledPolicyTypes, typ) {
			out = append(out, r.ID)
		}
	}
	return out
}

// ---- Policy documents -------------------------------------------------------

// scpStatement is a policy statement with its conditions, which the SCP
// checks read: a Deny that exempts some roles still counts, one that holds
// only in some requests does not.
type scpStatement struct {
	policyStatement
	Condition map[string]map[string]condValues `json:"Condition"`
}

type scpStatements []scpStatement

func (s *scpStatements) UnmarshalJSON(b []byte) error {
	// IAM allows a single statement object in place of a list.
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		b = append(append([]byte{'['}, b...), ']')
	}
	return json.Unmarshal(b, (*[]scpStatement)(s))
}

// parseSCP reads the statements of an SCP (or any IAM policy document).
func parseSCP(content string) (scpStatements, error) {
	var doc struct{ Statement scpStatements }
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return nil, fmt.Errorf("policy is not valid JSON: %w", err)
	}
	return doc.Statement, nil
}

// condValues are a condition's values: strings, booleans or numbers, one
// or a list, as the one policy parser reads them.
type condValues = policy.List

// iamGlob matches s against an IAM pattern: * is any run of characters, ?
// any one character. Callers fold case where IAM does.
func iamGlob(pattern, s string) bool {
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p, i = p+1, i+1
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// anyActionGlob reports whether an action matches one of the patterns;
// action names are case-insensitive.
func anyActionGlob(patterns []string, action string) bool {
	action = strings.ToLower(action)
	for _, p := range patterns {
		if iamGlob(strings.ToLower(p), action) {
			return true
		}
	}
	return false
}

// scpRequest is an API call as the SCP checks probe it: the action and the
// condition keys known about it (lower case); a key not set is unknown.
type scpRequest struct {
	action string
	keys   map[string]string
	// via, when set, counts only the statements whose conditions test this
	// key (lower case): "does the region rule deny IAM?" must not be
	// answered by an unrelated Deny.
	via string
}

// requestsFor probes actions with nothing known about the caller.
func requestsFor(actions ...string) []scpRequest {
	out := make([]scpRequest, len(actions))
	for i, a := range actions {
		out[i] = scpRequest{action: a}
	}
	return out
}

// stmtEffect is how one statement treats a request.
type stmtEffect struct {
	applies bool
	// spares are conditions that exempt some principals (a break-glass
	// role): the statement still applies to everyone else.
	spares []string
	// unless are conditions on keys the request does not set: the statement
	// applies only in the requests that satisfy them.
	unless []string
	// scope is "" when the statement covers every resource.
	scope string
}

func (st *scpStatement) matchesAction(action string) bool {
	if len(st.Action) > 0 {
		return anyActionGlob(st.Action, action)
	}
	return len(st.NotAction) > 0 && !anyActionGlob(st.NotAction, action)
}

// namesAction reports whether the statement's Action list names action by
// more than a bare "*".
func (st *scpStatement) namesAction(action string) bool {
	return slices.ContainsFunc(st.Action, func(p string) bool { return p != "*" && anyActionGlob([]string{p}, action) })
}

func (st *scpStatement) tests(key string) bool {
	for _, byKey := range st.Condition {
		for k := range byKey {
			if strings.EqualFold(k, key) {
				return true
			}
		}
	}
	return false
}

func (st *scpStatement) effect(r scpRequest) stmtEffect {
	if !st.matchesAction(r.action) || (r.via != "" && !st.tests(r.via)) {
		return stmtEffect{}
	}
	eff := stmtEffect{applies: true}
	for op, byKey := range st.Condition {
		for key, vals := range byKey {
			switch evalCondition(op, key, vals, r.keys) {
			case condFalse:
				return stmtEffect{}
			case condSpares:
				eff.spares = append(eff.spares, describeCondition(op, key, vals))
			case condUnknown:
				eff.unless = append(eff.unless, describeCondition(op, key, vals))
			}
		}
	}
	sort.Strings(eff.spares)
	sort.Strings(eff.unless)
	switch {
	case len(st.NotResource) > 0:
		eff.scope = "except on " + strings.Join(st.NotResource, ", ")
	case len(st.Resource) > 0 && !slices.Contains(st.Resource, "*"):
		eff.scope = "only on " + strings.Join(st.Resource, ", ")
	}
	return eff
}

func describeCondition(op, key string, vals condValues) string {
	return fmt.Sprintf("%s %s %s", key, op, strings.Join(vals, ", "))
}

type condResult int

const (
	condTrue condResult = iota
	condFalse
	condSpares  // exempts some principals: the statement applies to the others
	condUnknown // depends on a key the request does not set
)

// evalCondition evaluates one condition key of a statement against the
// known keys of a request.
func evalCondition(op, key string, vals condValues, known map[string]string) condResult {
	base := strings.ToLower(op)
	base = strings.TrimPrefix(strings.TrimPrefix(base, "forallvalues:"), "foranyvalue:")
	base = strings.TrimSuffix(base, "ifexists")
	k := strings.ToLower(key)
	v, ok := known[k]
	if !ok {
		if isPrincipalKey(k) && sparesPrincipals(base, vals) {
			return condSpares
		}
		return condUnknown
	}
	res, ok := compareCondition(base, v, vals)
	switch {
	case !ok:
		return condUnknown
	case res:
		return condTrue
	}
	return condFalse
}

func isPrincipalKey(k string) bool {
	return strings.HasPrefix(k, "aws:principal") || k == "aws:userid" || k == "aws:username"
}

// sparesPrincipals reports whether a condition on a principal key limits a
// Deny to everyone but some principals (rather than to some principals).
func sparesPrincipals(op string, vals condValues) bool {
	switch op {
	case "stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike":
		return true
	case "bool": // aws:PrincipalIsAWSService false: services are spared
		return len(vals) == 1 && strings.EqualFold(vals[0], "false")
	case "null": // aws:PrincipalTag/x true: tagged principals are spared
		return len(vals) == 1 && strings.EqualFold(vals[0], "true")
	}
	return false
}

// compareCondition applies a condition operator (lower case, without set or
// IfExists qualifiers) to a request value; ok is false for operators the
// checks do not evaluate (numeric, date, IP).
func compareCondition(op, v string, vals condValues) (res, ok bool) {
	anyOf := func(f func(string) bool) bool { return slices.ContainsFunc(vals, f) }
	switch op {
	case "stringequals":
		return anyOf(func(x string) bool { return x == v }), true
	case "stringnotequals":
		return !anyOf(func(x string) bool { return x == v }), true
	case "stringequalsignorecase":
		return anyOf(func(x string) bool { return strings.EqualFold(x, v) }), true
	case "stringnotequalsignorecase":
		return !anyOf(func(x string) bool { return strings.EqualFold(x, v) }), true
	case "stringlike", "arnlike", "arnequals":
		return anyOf(func(x string) bool { return iamGlob(x, v) }), true
	case "stringnotlike", "arnnotlike", "arnnotequals":
		return !anyOf(func(x string) bool { return iamGlob(x, v) }), true
	case "bool":
		return anyOf(func(x string) bool { return strings.EqualFold(x, v) }), true
	case "null": // the key is set
		return anyOf(func(x string) bool { return strings.EqualFold(x, "false") }), true
	}
	return false, false
}

// ---- SCPs over the organization's tree -------------------------------------

// scp is one service control policy with its parsed statements (none when
// its content is unknown, which scpView.unread then says).
type scp struct {
	name  string
	stmts scpStatements
}

// scpView lays the SCPs over the organization's tree: an account is
// governed by the SCPs of the root, of every OU above it and its own.
type scpView struct {
	all      []*scp
	parent   map[string]string
	label    map[string]string
	attached map[string][]*scp
	// targets are what the guardrails must cover: every OU (an account
	// moved in later inherits its SCPs) and every active member account.
	targets []string
	// unread are SCPs whose content or targets could not be read: they may
	// deny what the view finds allowed.
	unread []string
	// treeGaps are failed tree listings: OUs or accounts the view may miss.
	treeGaps []string
}

// scpViewOf returns the SCP view of the organization, or nil after
// reporting why the SCP controls cannot pass: no organization, tree not
// read, SCP listing failed, or SCPs not enabled.
func scpViewOf(e *catalog.Eval) *scpView {
	o := orgTree(e)
	if o == nil {
		return nil
	}
	if err := e.FailedOn("organizations:ListPolicies", scpType); err != nil {
		e.ReadFailed("", err)
		return nil
	}
	if off := rootsWithout(o, scpType); len(off) > 0 {
		e.Fail("", "service control policies are not enabled on root %s, so no SCP applies: "+
			"aws organizations enable-policy-type --root-id %s --policy-type %s", strings.Join(off, ", "), off[0], scpType)
		return nil
	}
	return newSCPView(e, o)
}

func newSCPView(e *catalog.Eval, o *snapshot.Organization) *scpView {
	v := &scpView{parent: map[string]string{}, label: map[string]string{}, attached: map[string][]*scp{}}
	for _, r := range o.Roots {
		v.label[r.ID] = "the root"
	}
	for _, ou := range o.OUs {
		v.parent[ou.ID], v.label[ou.ID] = ou.ParentID, "OU "+ou.Path
		v.targets = append(v.targets, ou.ID)
	}
	for _, a := range o.Accounts {
		v.parent[a.ID], v.label[a.ID] = a.ParentID, "account "+orgAccountLabel(a)
	}
	for _, a := range activeMembers(o) {
		v.targets = append(v.targets, a.ID)
	}
	if len(v.targets) == 0 {
		for _, r := range o.Roots {
			v.targets = append(v.targets, r.ID)
		}
	}
	for i := range o.Policies {
		p := &o.Policies[i]
		if p.Type != scpType {
			continue
		}
		s := &scp{name: p.Name}
		v.all = append(v.all, s)
		stmts, err := parseSCP(p.Content)
		switch {
		case p.Content == "":
			if rerr := e.FailedOn("organizations:DescribePolicy", p.ID); rerr != nil {
				v.unread = append(v.unread, catalog.DescribeReadError(rerr))
			} else {
				v.unread = append(v.unread, fmt.Sprintf("SCP %s has no content", p.Name))
			}
		case err != nil:
			v.unread = append(v.unread, fmt.Sprintf("SCP %s: %v", p.Name, err))
		default:
			s.stmts = stmts
		}
		if rerr := e.FailedOn("organizations:ListTargetsForPolicy", p.ID); rerr != nil {
			v.unread = append(v.unread, catalog.DescribeReadError(rerr))
		}
		for _, t := range p.Targets {
			v.attached[t] = append(v.attached[t], s)
		}
	}
	v.treeGaps = readErrorsOf(e.Snap, "", "organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent")
	return v
}

// path is a node and its ancestors up to the root.
func (v *scpView) path(id string) []string {
	out := []string{id}
	for p := v.parent[id]; p != "" && len(out) <= maxOUDepth; p = v.parent[p] {
		out = append(out, p)
	}
	return out
}

// maxOUDepth bounds the walk up the tree (AWS allows five levels of OUs).
const maxOUDepth = 8

// scpVerdict is how the SCPs on a node's path treat a request.
type scpVerdict struct {
	denied bool
	by     string // the denying SCP; "" for an allow-list that omits the action
	at     string // where it is attached: "the root", "OU /Prod"
	spares []string
	scope  string
	unless []string // conditional Denies naming the action, which did not count
}

func (v *scpView) verdict(id string, r scpRequest) scpVerdict {
	var out scpVerdict
	path := v.path(id)
	// From the root down, so that the widest attachment names the deny.
	for _, node := range slices.Backward(path) {
		for _, s := range v.attached[node] {
			for i := range s.stmts {
				st := &s.stmts[i]
				if !strings.EqualFold(st.Effect, "Deny") {
					continue
				}
				eff := st.effect(r)
				switch {
				case !eff.applies:
				case len(eff.unless) > 0:
					// Worth a note only when the statement is about this
					// action, not a blanket rule such as a region deny.
					if st.namesAction(r.action) {
						out.unless = append(out.unless, fmt.Sprintf("SCP %s denies %s only when %s", s.name, r.action, strings.Join(eff.unless, " and ")))
					}
				case !out.denied || (len(out.spares) > 0 || out.scope != "") && len(eff.spares) == 0 && eff.scope == "":
					out = scpVerdict{denied: true, by: s.name, at: v.label[node], spares: eff.spares, scope: eff.scope, unless: out.unless}
				}
			}
		}
	}
	if out.denied || r.via != "" {
		return out
	}
	// An action is allowed only if an SCP allows it at every level: with
	// allow-list SCPs, what no SCP of a level allows is denied.
	for _, node := range path {
		if v.disallows(node, r.action) {
			out.denied, out.at = true, v.label[node]
			break
		}
	}
	return out
}

// disallows reports whether the SCPs attached to node certainly allow no
// request for action. Unread SCPs might allow it, and a node without any SCP
// means the listing was incomplete (AWS requires one), so neither is claimed.
func (v *scpView) disallows(node, action string) bool {
	list := v.attached[node]
	if len(list) == 0 || len(v.unread) > 0 {
		return false
	}
	for _, s := range list {
		for i := range s.stmts {
			if st := &s.stmts[i]; strings.EqualFold(st.Effect, "Allow") && st.matchesAction(action) {
				return false
			}
		}
	}
	return true
}

// scpGuard is the outcome of "do SCPs deny these requests for every OU and
// member account?".
type scpGuard struct {
	missing []string // "cloudtrail:StopLogging (everywhere)"
	hows    []string // "SCP protect-logging at OU /Prod, OU /Dev"
	notes   []string
}

func (g scpGuard) ok() bool { return len(g.missing) == 0 }

// guard evaluates the requests over every target. name labels a request in
// reasons (its action, unless the caller says otherwise).
func (v *scpView) guard(reqs []scpRequest, name func(scpRequest) string) scpGuard {
	var g scpGuard
	where := map[string]map[string]bool{} // denying SCP → where attached
	notes := map[string]bool{}
	var gapOrder []string
	gaps := map[string][]string{} // uncovered targets → request names
	for _, r := range reqs {
		var uncovered []string
		for _, t := range v.targets {
			vd := v.verdict(t, r)
			if !vd.denied {
				uncovered = append(uncovered, v.label[t])
				for _, u := range vd.unless {
					notes[u] = true
				}
				continue
			}
			if where[vd.by] == nil {
				where[vd.by] = map[string]bool{}
			}
			where[vd.by][vd.at] = true
			for _, s := range vd.spares {
				notes["with exemption "+s] = true
			}
			if vd.scope != "" {
				notes["SCP "+vd.by+" applies "+vd.scope] = true
			}
		}
		if len(uncovered) == 0 {
			continue
		}
		at := "everywhere"
		if len(uncovered) < len(v.targets) {
			at = "for " + listOf(uncovered)
		}
		if _, seen := gaps[at]; !seen {
			gapOrder = append(gapOrder, at)
		}
		gaps[at] = append(gaps[at], name(r))
	}
	for _, at := range gapOrder {
		g.missing = append(g.missing, fmt.Sprintf("%s (%s)", strings.Join(gaps[at], ", "), at))
	}
	for _, by := range sortedKeys(where) {
		if by == "" {
			g.hows = append(g.hows, "the allow-list SCPs at "+listOf(sortedKeys(where[by]))+", which do not include it")
		} else {
			g.hows = append(g.hows, "SCP "+by+" at "+listOf(sortedKeys(where[by])))
		}
	}
	g.notes = sortedKeys(notes)
	return g
}

func actionName(r scpRequest) string { return r.action }

// report turns a guard into the control's finding. A PASS needs the whole
// tree; a FAIL needs every SCP: either gap makes it an ERROR.
func (v *scpView) report(e *catalog.Eval, what string, g scpGuard) {
	notes := ""
	if len(g.notes) > 0 {
		notes = " (" + strings.Join(g.notes, "; ") + ")"
	}
	switch {
	case g.ok() && len(v.treeGaps) > 0:
		e.Errorf("", "%s is denied wherever the tree could be read, but %s", what, listOf(v.treeGaps))
	case g.ok():
		e.Pass("", "%s is denied for every OU and member account by %s%s", what, listOf(g.hows), notes)
	case len(v.unread) > 0:
		e.Errorf("", "no SCP found to deny %s, but %s", strings.Join(g.missing, "; "), listOf(v.unread))
	default:
		e.Fail("", "no SCP denies %s%s", strings.Join(g.missing, "; "), notes)
	}
}

// ---- Delegated administrators -------------------------------------------

// securityServices are the services the security account administers for
// the organization, by their service principals.
var securityServices = []struct {
	name       string
	principals []string
}{
	{"GuardDuty", []string{"guardduty.amazonaws.com"}},
	{"Security Hub", []string{"securityhub.amazonaws.com"}},
	{"Config", []string{"config.amazonaws.com", "config-multiaccountsetup.amazonaws.com"}},
	{"IAM Access Analyzer", []string{"access-analyzer.amazonaws.com"}},
}

// delegationGaps lists the security services not administered by account
// sec, each with where it is delegated instead.
func delegationGaps(o *snapshot.Organization, sec string) []string {
	var gaps []string
	for _, svc := range securityServices {
		var elsewhere []string
		mine := false
		for _, d := range o.DelegatedAdmins {
			if slices.Contains(svc.principals, d.ServicePrincipal) {
				mine = mine || d.AccountID == sec
				elsewhere = append(elsewhere, d.AccountID)
			}
		}
		switch {
		case mine:
		case len(elsewhere) == 0:
			gaps = append(gaps, fmt.Sprintf("%s (no delegated administrator)", svc.name))
		default:
			gaps = append(gaps, fmt.Sprintf("%s (delegated to %s)", svc.name, strings.Join(elsewhere, ", ")))
		}
	}
	return gaps
}

// designated returns the account designated for role ("security",
// "log-archive"), or nil after reporting FAIL: none, several, or the one
// named in the settings not found.
func designated(e *catalog.Eval, role, knob string) *snapshot.Account {
	if a := e.Designated(role); a != nil {
		return a
	}
	seen := ""
	if o := e.Org(); o != nil && len(o.Accounts) > len(e.Snap.Accounts) {
		seen = fmt.Sprintf(" (only %d of the organization's %d accounts were assessed: audit with --org)", len(e.Snap.Accounts), len(o.Accounts))
	}
	if ref := e.Settings.Designation(role); ref != "" {
		e.Fail("", "the %s account %q named in baseline.yaml (%s) is not among the assessed accounts%s", role, ref, knob, seen)
		return nil
	}
	var several []string
	for _, a := range e.Snap.Accounts {
		if a.Category == role {
			several = append(several, accountLabel(a))
		}
	}
	if len(several) > 1 {
		e.Fail("", "%d accounts are categorized %s (%s): name the one in baseline.yaml (%s)", len(several), role, listOf(several), knob)
		return nil
	}
	e.Fail("", "no %s account is designated: name it in baseline.yaml (%s), or put exactly one account in an OU named %s or tag it category=%s%s",
		role, knob, role, role, seen)
	return nil
}
