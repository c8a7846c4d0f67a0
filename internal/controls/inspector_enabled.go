package controls

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	insptypes "github.com/aws/aws-sdk-go-v2/service/inspector2/types"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "inspector.enabled",
	Title:    "Amazon Inspector scans the account's workloads",
	Stage:    "M4",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "Inspector continuously finds known vulnerabilities (CVEs) and unintended network exposure in EC2 " +
		"instances, container images and Lambda functions, so patching is driven by what actually runs.",
	Steps: "Delegate Inspector to the security account, then in it:\n" +
		"Console: Inspector > Settings > Account management > Activate all accounts (EC2, ECR, Lambda scanning), " +
		"and turn on auto-enable for new members.\n" +
		"CLI (per region): aws inspector2 enable --resource-types EC2 ECR LAMBDA [--account-ids <ids>]",
	Reads: []string{"inspector2:BatchGetAccountStatus"},
	Check: func(e *catalog.Eval) {
		in := e.R.Inspector
		if in == nil {
			e.NotCollected("inspector2")
			return
		}
		var on, off []string
		for name, enabled := range in.Resources {
			if enabled {
				on = append(on, name)
			} else {
				off = append(off, name)
			}
		}
		sort.Strings(on)
		sort.Strings(off)
		switch {
		case in.Status == "":
			e.Fail("", "Inspector is not enabled in %s: enable EC2, ECR and Lambda scanning", e.Region)
		case in.Status != "ENABLED":
			e.Fail("", "Inspector is %s in %s: enable EC2, ECR and Lambda scanning", in.Status, e.Region)
		case len(on) == 0:
			e.Fail("", "Inspector is enabled in %s but scans no resource type: enable EC2, ECR and Lambda scanning", e.Region)
		case len(off) > 0:
			e.Pass("", "Inspector scans %s (not %s)", listOf(on), listOf(off))
		default:
			e.Pass("", "Inspector scans %s", listOf(on))
		}
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			in := p.R.Inspector
			if in == nil {
				p.NotCollected("inspector2")
				return
			}
			if len(failures(p)) == 0 {
				return
			}
			want := inspectorSpec{Status: "ENABLED", Scans: inspectorScans}
			if in.Status == "" {
				p.Here().Create("enable", "inspector", want)
				return
			}
			before := inspectorSpec{Status: in.Status, Scans: []string{}}
			for _, t := range catalog.SortedKeys(in.Resources) {
				if in.Resources[t] {
					before.Scans = append(before.Scans, t)
				}
			}
			p.Here().Update("enable", "inspector", before, want)
		},
		Ops: map[string]catalog.Op{"enable": func(ctx context.Context, cfg aws.Config, ch *catalog.Change) error {
			want, err := catalog.Decode[inspectorSpec](ch.After)
			if err != nil {
				return err
			}
			return enableInspector(ctx, inspector2.NewFromConfig(cfg), ch.AccountID, want.Scans)
		}},
	},
})

// inspectorScans are the resource types apply has Inspector scan.
var inspectorScans = []string{"EC2", "ECR", "LAMBDA"}

// inspectorSpec is the account's Inspector status and what it scans.
type inspectorSpec struct {
	Status string   `json:"status"`
	Scans  []string `json:"scans"`
}

type inspectorEnabler interface {
	Enable(context.Context, *inspector2.EnableInput, ...func(*inspector2.Options)) (*inspector2.EnableOutput, error)
}

// enableInspector enables scanning of the resource types for the account
// (named explicitly: the emulator does not read an empty list as "mine");
// enabling what is on already changes nothing.
func enableInspector(ctx context.Context, api inspectorEnabler, account string, scans []string) error {
	in := &inspector2.EnableInput{AccountIds: []string{account}}
	for _, t := range scans {
		in.ResourceTypes = append(in.ResourceTypes, insptypes.ResourceScanType(t))
	}
	out, err := api.Enable(ctx, in)
	if err != nil {
		return err
	}
	for _, f := range out.FailedAccounts {
		return fmt.Errorf("inspector in %s: %s: %s", aws.ToString(f.AccountId), f.ErrorCode, aws.ToString(f.ErrorMessage))
	}
	return nil
}
