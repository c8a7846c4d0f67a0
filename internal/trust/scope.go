package trust

import (
	"regexp"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/policy"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// scope tells inside from outside: the organization's accounts, and the
// outside accounts the settings allow.
type scope struct {
	orgID   string
	members map[string]Node
	trusted map[string]bool
	known   bool
}

func newScope(snap *snapshot.Snapshot, s *catalog.Settings) *scope {
	sc := &scope{members: map[string]Node{}, trusted: map[string]bool{}, known: membersKnown(snap)}
	if o := snap.Organization; o != nil && o.Member {
		sc.orgID = o.ID
		for _, a := range o.Accounts {
			sc.members[a.ID] = Node{ID: a.ID, Name: a.Name, OU: a.OUPath}
		}
	}
	// The assessed accounts are the estate even outside an organization.
	for _, a := range snap.Accounts {
		sc.members[a.AccountID] = Node{ID: a.AccountID, Name: a.Name, OU: a.OUPath}
	}
	for _, id := range s.TrustedAccounts {
		sc.trusted[id] = true
	}
	return sc
}

// membersKnown reports whether every account of the organization was
// listed, or there is no organization.
func membersKnown(snap *snapshot.Snapshot) bool {
	o := snap.Organization
	switch {
	case o == nil:
		return false
	case !o.Member:
		return true
	case !o.Full:
		return false
	}
	for _, e := range snap.Errors {
		if e.Service == "organizations" && (e.Operation == "ListAccountsForParent" || e.Operation == "ListOrganizationalUnitsForParent") {
			return false
		}
	}
	return true
}

// classify makes the node of a principal id.
func (sc *scope) classify(id string) Node {
	switch {
	case id == Anyone:
		return Node{ID: id, Outside: true}
	case strings.HasPrefix(id, "o-"):
		return Node{ID: id, Outside: id != sc.orgID}
	}
	if n, ok := sc.members[id]; ok {
		return n
	}
	return Node{ID: id, Outside: true, Trusted: sc.trusted[id]}
}

// grant is one principal a statement lets in: the node id it stands for,
// and how the policy writes it.
type grant struct{ to, as string }

// grantees resolves who an Allow statement lets in. Accounts named as AWS
// principals (or owning a federated identity provider) are granted as
// written. A statement open to anyone ("*", NotPrincipal) grants anyone
// unless its conditions pin the caller to some accounts or organizations;
// a service principal acts for the accounts its conditions name, and for
// the account itself otherwise. Unique ids of deleted principals and
// canonical user ids name no account and are left out.
func (sc *scope) grantees(st *policy.Statement) []grant {
	r := restrictionOf(st)
	var out []grant
	// pinned grants whom the conditions pin the caller to; failing that,
	// anyone when the principal is open to all.
	pinned := func(as string, open bool) {
		if len(r.keys) > 0 {
			as += " with " + strings.Join(r.keys, ", ")
		}
		switch {
		case r.accounts != nil:
			for a := range r.accounts {
				out = append(out, grant{a, as})
			}
		case r.orgs != nil:
			for o := range r.orgs {
				out = append(out, grant{o, as})
			}
		case open:
			out = append(out, grant{Anyone, as})
		}
	}
	if st.NotPrincipal != nil {
		pinned("NotPrincipal", true)
	}
	if p := st.Principal; p != nil {
		if p.Any {
			pinned("*", true)
		}
		for typ, values := range p.ByType {
			for _, v := range values {
				switch {
				case v == "*" && (typ == "AWS" || typ == "CanonicalUser"):
					pinned(v, true)
				case typ == "Service":
					pinned(v, false)
				case typ == "AWS" || typ == "Federated":
					if a := policy.Account(v); a != "" {
						out = append(out, grant{a, v})
					}
				}
			}
		}
	}
	kept := out[:0]
	for _, g := range out {
		if sc.admits(r, g.to) {
			kept = append(kept, g)
		}
	}
	return kept
}

// admits reports whether a grantee can meet the restriction: an account
// must be among its accounts and belong to one of its organizations.
func (sc *scope) admits(r restriction, to string) bool {
	if to == Anyone || strings.HasPrefix(to, "o-") {
		return true
	}
	if r.accounts != nil && !r.accounts[to] {
		return false
	}
	if r.orgs == nil {
		return true
	}
	if _, member := sc.members[to]; member {
		return sc.orgID != "" && r.orgs[sc.orgID]
	}
	// An outside account may belong to any other organization listed.
	for o := range r.orgs {
		if o != sc.orgID {
			return true
		}
	}
	return false
}

// restriction is who a statement's conditions let in; a nil set
// restricts nothing.
type restriction struct {
	accounts, orgs map[string]bool
	// keys are the condition keys that restrict, for descriptions.
	keys []string
}

// Condition keys that pin the caller's (or, for a service, the source
// resource's) account or organization.
var (
	accountKeys = map[string]bool{"aws:principalaccount": true, "aws:sourceaccount": true, "aws:sourceowner": true}
	arnKeys     = map[string]bool{"aws:principalarn": true, "aws:sourcearn": true}
	orgKeys     = map[string]bool{"aws:principalorgid": true, "aws:sourceorgid": true}
	orgPathKeys = map[string]bool{"aws:principalorgpaths": true, "aws:sourceorgpaths": true}
	orgIDRe     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// restrictionOf reads the conditions that pin the caller to fixed accounts
// or organizations. Only positive string and ARN operators pin: negated
// ones, IfExists (which lets in requests without the key) and ForAllValues
// (true when the key is absent) do not, and neither does a value with a
// wildcard where the account or organization goes. Conditions all apply,
// so the sets of several keys intersect.
func restrictionOf(st *policy.Statement) restriction {
	var r restriction
	for op, byKey := range st.Condition {
		if !pins(op) {
			continue
		}
		for key, vals := range byKey {
			k := strings.ToLower(key)
			var ids []string
			var ok bool
			switch {
			case accountKeys[k] || arnKeys[k]:
				ids, ok = mapAll(vals, policy.Account)
			case orgKeys[k]:
				ids, ok = mapAll(vals, orgID)
			case orgPathKeys[k]:
				ids, ok = mapAll(vals, func(v string) string { return orgID(strings.SplitN(v, "/", 2)[0]) })
			}
			if !ok {
				continue
			}
			if accountKeys[k] || arnKeys[k] {
				r.accounts = intersect(r.accounts, ids)
			} else {
				r.orgs = intersect(r.orgs, ids)
			}
			r.keys = append(r.keys, key)
		}
	}
	slices.Sort(r.keys)
	return r
}

func orgID(v string) string {
	if orgIDRe.MatchString(v) {
		return v
	}
	return ""
}

// pins reports whether a condition operator restricts requests to the
// values it lists.
func pins(op string) bool {
	switch strings.TrimPrefix(strings.ToLower(op), "foranyvalue:") {
	case "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike":
		return true
	}
	return false
}

// mapAll maps every value; ok is false when one maps to "" (or there are none).
func mapAll(vals []string, f func(string) string) (out []string, ok bool) {
	for _, v := range vals {
		id := f(v)
		if id == "" {
			return nil, false
		}
		out = append(out, id)
	}
	return out, len(out) > 0
}

// intersect narrows set to ids (set nil: no restriction yet).
func intersect(set map[string]bool, ids []string) map[string]bool {
	next := map[string]bool{}
	for _, id := range ids {
		if set == nil || set[id] {
			next[id] = true
		}
	}
	return next
}
