package controls

import (
	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "shield.advanced",
	Title:    "Shield Advanced subscription where the organization requires it",
	Stage:    "C4",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.Medium,
	Rationale: "Shield Advanced adds DDoS detection tuned to your resources, the Shield Response Team and cost " +
		"protection against scaling during an attack. It costs a yearly commitment, so it is required only where " +
		"baseline.yaml says so (audit.require_shield_advanced).",
	Steps: "Subscribe the accounts that run public endpoints, then add protections for their load balancers, " +
		"CloudFront distributions and Elastic IPs (Firewall Manager can do it organization-wide).\n" +
		"Console: WAF & Shield > Shield > Subscribe to Shield Advanced.\n" +
		"CLI: aws shield create-subscription && aws shield create-protection --name <n> --resource-arn <arn>",
	Reads: []string{"shield:GetSubscriptionState"},
	Knob:  "audit.require_shield_advanced",
	NotApplicable: func(e *catalog.Eval) string {
		if !e.Settings.RequireShield {
			return "Shield Advanced is not required (audit.require_shield_advanced is false)"
		}
		return ""
	},
	Check: func(e *catalog.Eval) {
		s := e.Account.Global.Shield
		switch {
		case s == nil:
			e.NotCollected("shield")
		case s.Subscribed:
			e.Pass("", "the account subscribes to Shield Advanced")
		default:
			e.Fail("", "the account does not subscribe to Shield Advanced, which baseline.yaml requires (audit.require_shield_advanced)")
		}
	},
})
