package controls

import (
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// The root MFA controls are attested, because IAM cannot prove who holds the
// device; the account summary still tells the person attesting what AWS sees.

func rootMFAEnabled(i *snapshot.IAM) (enabled, known bool) {
	if i == nil || i.Summary == nil {
		return false, false
	}
	v, ok := i.Summary["AccountMFAEnabled"]
	return v == 1, ok
}

func rootVirtualMFA(i *snapshot.IAM) bool {
	for _, d := range i.VirtualMFA {
		if strings.HasSuffix(d.User, ":root") || strings.HasSuffix(d.Serial, "/root-account-mfa-device") {
			return true
		}
	}
	return false
}

func rootMFAHint(e *catalog.Eval) string {
	enabled, known := rootMFAEnabled(e.Account.Global.IAM)
	switch {
	case !known:
		return ""
	case enabled:
		return "IAM reports MFA enabled on the root user"
	}
	return "IAM reports NO MFA on the root user"
}

func rootHardwareMFAHint(e *catalog.Eval) string {
	i := e.Account.Global.IAM
	enabled, known := rootMFAEnabled(i)
	switch {
	case !known:
		return ""
	case !enabled:
		return "IAM reports NO MFA on the root user"
	case rootVirtualMFA(i):
		return "the root user's MFA is a virtual device"
	}
	return "the root user has MFA and no virtual device is assigned to it"
}
