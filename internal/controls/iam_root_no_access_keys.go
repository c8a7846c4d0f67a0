package controls

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "iam.root-no-access-keys",
	Title:    "Root user has no access keys",
	Stage:    "F5",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Critical,
	CIS:      []string{"2.4"},
	Rationale: "A root access key is a long-lived credential with every permission in the account that no IAM policy can restrict; " +
		"no task needs one, and a leaked one hands over the whole account.",
	Steps: "Sign in as the root user, open IAM > Security credentials > Access keys, and delete every key (deactivate first if you must confirm nothing breaks).\n" +
		"CLI check: aws iam get-account-summary --query SummaryMap.AccountAccessKeysPresent (must be 0), " +
		"or the access_key_* columns of the <root_account> row of aws iam get-credential-report.",
	Reads: credentialReportReads,
	Check: func(e *catalog.Eval) {
		root := rootRow(e)
		if root == nil {
			return
		}
		var keys []string
		for i, k := range root.AccessKeys {
			if !k.Exists() {
				continue
			}
			state := "inactive"
			if k.Active {
				state = "active"
			}
			desc := fmt.Sprintf("%s access key %d", state, i+1)
			if k.LastUsed != nil {
				desc += ", last used " + dated(e.Now, *k.LastUsed)
			}
			keys = append(keys, desc)
		}
		if len(keys) > 0 {
			e.Fail("", "the root user has %s: delete it", strings.Join(keys, "; "))
			return
		}
		e.Pass("", "the root user has no access keys")
	},
})
