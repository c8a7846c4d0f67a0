package catalog

import (
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func TestIAMAction(t *testing.T) {
	for read, want := range map[string]string{
		"s3:ListBuckets":                 "s3:ListAllMyBuckets",
		"s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
		"budgets:DescribeBudgets":        "budgets:ViewBudget",
		"iam:GetAccountPasswordPolicy":   "iam:GetAccountPasswordPolicy",
	} {
		if got := IAMAction(read); got != want {
			t.Errorf("IAMAction(%s) = %s, want %s", read, got, want)
		}
	}
	e := DescribeReadError(&snapshot.Error{Service: "s3", Operation: "ListBuckets", Class: "access_denied", Code: "AccessDenied"})
	if want := "grant s3:ListAllMyBuckets"; !strings.Contains(e, want) {
		t.Errorf("reason %q lacks %q", e, want)
	}
}
