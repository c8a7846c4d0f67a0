package controls

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/policy"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The reads behind the IAM checks: the credential report and the bulk
// authorization details.
var (
	credentialReportReads = []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}
	authDetailsReads      = []string{"iam:GetAccountAuthorizationDetails"}
)

// iamOf returns the account's IAM state; when the collector did not run it
// reports ERROR and returns nil.
func iamOf(e *catalog.Eval) *snapshot.IAM {
	s := e.Account.Global.IAM
	if s == nil {
		e.NotCollected("iam")
	}
	return s
}

// rootRow returns the root user's credential report row; when the report
// has none it reports ERROR and returns nil.
func rootRow(e *catalog.Eval) *snapshot.CredentialEntry {
	s := iamOf(e)
	if s == nil {
		return nil
	}
	root := s.Root()
	if root == nil {
		e.Errorf("", "the credential report has no %s row, so the root user's credentials cannot be assessed", snapshot.RootUser)
	}
	return root
}

// iamUsers returns the credential report rows of IAM users, root excluded.
func iamUsers(s *snapshot.IAM) []snapshot.CredentialEntry {
	out := make([]snapshot.CredentialEntry, 0, len(s.Credentials))
	for _, c := range s.Credentials {
		if c.User != snapshot.RootUser {
			out = append(out, c)
		}
	}
	return out
}

// daysSince counts the whole days from t to now.
func daysSince(now, t time.Time) int { return int(now.Sub(t) / (24 * time.Hour)) }

// dated formats a time for a reason: "2026-01-02 (120 days ago)".
func dated(now, t time.Time) string {
	return fmt.Sprintf("%s (%d days ago)", t.Format("2006-01-02"), daysSince(now, t))
}

// listOf joins names for a reason, eliding past a handful.
func listOf(names []string) string {
	const show = 5
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}

// isAWSManaged reports whether arn is the AWS managed policy called name, in
// any partition.
func isAWSManaged(arn, name string) bool {
	return strings.HasPrefix(arn, "arn:") && strings.HasSuffix(arn, ":iam::aws:policy/"+name)
}

// policyDocument is an IAM policy, identity or trust.
type policyDocument struct {
	Statement statements `json:"Statement"`
}

type policyStatement struct {
	Sid          string     `json:"Sid"`
	Effect       string     `json:"Effect"`
	Principal    *principal `json:"Principal"`
	NotPrincipal *principal `json:"NotPrincipal"`
	Action       stringList `json:"Action"`
	NotAction    stringList `json:"NotAction"`
	Resource     stringList `json:"Resource"`
	NotResource  stringList `json:"NotResource"`
}

// statements accepts the single statement object IAM allows in place of a list.
type statements []policyStatement

func (s *statements) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		var one policyStatement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []policyStatement
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

// stringList accepts a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = stringList{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(b, &many)
	*l = many
	return err
}

func (l stringList) has(v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// principal is "*" or a map of principal type (AWS, Service, Federated,
// CanonicalUser) to values, as the one policy parser reads it.
type principal = policy.Principal

func parsePolicy(doc string) (*policyDocument, error) {
	var d policyDocument
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	return &d, nil
}

func (s *policyStatement) allows() bool { return strings.EqualFold(s.Effect, "Allow") }

func (s *policyStatement) label(i int) string {
	if s.Sid != "" {
		return fmt.Sprintf("statement %q", s.Sid)
	}
	return fmt.Sprintf("statement %d", i+1)
}

// fullAdmin describes how the statement grants every action on every
// resource, or returns "". Allow with NotAction grants everything not
// listed: unless the list takes all of IAM away, that includes granting
// oneself the rest, so it counts as full admin. NotResource likewise
// reaches every resource but the listed ones.
func (s *policyStatement) fullAdmin() string {
	if !s.allows() {
		return ""
	}
	var on string
	switch {
	case s.Resource.has("*"):
		on = "Resource *"
	case len(s.NotResource) > 0 && !s.NotResource.has("*"):
		on = "every resource except " + strings.Join(s.NotResource, ", ")
	default:
		return ""
	}
	switch {
	case s.Action.has("*") || s.Action.has("*:*"):
		return "Action * on " + on
	case len(s.NotAction) > 0 && !removesIAM(s.NotAction):
		return fmt.Sprintf("every action except %s (NotAction) on %s", strings.Join(s.NotAction, ", "), on)
	}
	return ""
}

// removesIAM reports whether a NotAction list excludes every IAM action
// ("iam:*", "i*", "*").
func removesIAM(actions stringList) bool {
	for _, a := range actions {
		a = strings.ToLower(a)
		if strings.HasSuffix(a, "*") && strings.HasPrefix("iam:", strings.TrimSuffix(a, "*")) {
			return true
		}
	}
	return false
}

// fullAdminGrants lists the statements of doc that grant full admin, each
// described ("statement 1 allows Action * on Resource *").
func fullAdminGrants(doc string) ([]string, error) {
	d, err := parsePolicy(doc)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range d.Statement {
		if how := d.Statement[i].fullAdmin(); how != "" {
			out = append(out, d.Statement[i].label(i)+" allows "+how)
		}
	}
	return out, nil
}

// trustedPrincipals reads a trust policy's Allow statements: the accounts of
// their AWS principals, and every other principal as written (services,
// federated providers, "*", unique ids of deleted roles, NotPrincipal).
func trustedPrincipals(doc string) (accounts, others []string, err error) {
	stmts, err := policy.Parse(doc)
	if err != nil {
		return nil, nil, err
	}
	acc, oth := map[string]bool{}, map[string]bool{}
	for _, st := range stmts {
		if !st.Allows() {
			continue
		}
		if st.NotPrincipal != nil {
			oth["NotPrincipal (everyone but the listed)"] = true
		}
		if st.Principal == nil {
			continue
		}
		if st.Principal.Any {
			oth["*"] = true
		}
		for typ, values := range st.Principal.ByType {
			for _, v := range values {
				if id := policy.Account(v); typ == "AWS" && id != "" {
					acc[id] = true
				} else {
					oth[v] = true
				}
			}
		}
	}
	return sortedKeys(acc), sortedKeys(oth), nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// accountLabel names an account in a reason: "222222222222 (security)".
func accountLabel(a *snapshot.Account) string {
	if a.Name == "" {
		return a.AccountID
	}
	return fmt.Sprintf("%s (%s)", a.AccountID, a.Name)
}
