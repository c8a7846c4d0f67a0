package controls

import (
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "ec2.approved-amis",
	Title:    "Instances run AMIs from approved owners only",
	Stage:    "M7",
	Kind:     catalog.Detective,
	Scope:    catalog.ScopeResource,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	Rationale: "An AMI is code that runs as root: one from an unknown publisher may carry a backdoor or a miner. " +
		"Instances should start from AWS's images or from golden images your organization builds and patches.",
	Steps: "List the approved owners in baseline.yaml (audit.approved_ami_owners: account ids, \"amazon\", \"self\"), " +
		"rebuild the offending instances from an approved image, and enforce it with the EC2 Allowed AMIs setting.\n" +
		"Console: EC2 > Settings > Data protection and security > Allowed AMIs.\n" +
		"CLI: aws ec2 describe-images --image-ids <ami> --query 'Images[].[OwnerId,ImageOwnerAlias,Name]'\n" +
		"     aws ec2 enable-allowed-images-settings --allowed-images-settings-state enabled",
	Reads: []string{"ec2:DescribeInstances", "ec2:DescribeImages"},
	Knob:  "audit.approved_ami_owners",
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		if len(s.Instances) == 0 {
			e.Pass("", "no instance in %s", e.Region)
			return
		}
		approved, source := approvedAMIOwners(e)
		for _, i := range s.Instances {
			arn := ec2ARN(e, "instance", i.ID)
			img, ok := s.Images[i.ImageID]
			switch {
			case !ok:
				e.Fail(arn, "instance %s runs %s, which is no longer visible (deregistered or unshared), so its origin "+
					"cannot be verified: rebuild it from an approved image", i.ID, i.ImageID)
			case slices.Contains(approved, img.OwnerID) || (img.OwnerAlias != "" && slices.Contains(approved, img.OwnerAlias)):
				e.Pass(arn, "instance %s runs %s owned by %s, an approved owner", i.ID, i.ImageID, amiOwner(img))
			default:
				e.Fail(arn, "instance %s runs %s (%s) owned by %s, not an approved owner (%s)", i.ID, i.ImageID, img.Name, amiOwner(img), source)
			}
		}
	},
})

// approvedAMIOwners returns the approved owner ids and aliases for the
// account being checked, and where they come from for the reason.
func approvedAMIOwners(e *catalog.Eval) ([]string, string) {
	if list := e.Settings.ApprovedAMIOwners; len(list) > 0 {
		out := slices.Clone(list)
		if slices.Contains(list, "self") {
			out = append(out, e.Account.AccountID)
		}
		return out, "audit.approved_ami_owners: " + strings.Join(list, ", ")
	}
	out := []string{"amazon"}
	for _, a := range e.Snap.Accounts {
		out = append(out, a.AccountID)
	}
	if o := e.Org(); o != nil {
		for _, a := range o.Accounts {
			out = append(out, a.ID)
		}
	}
	return out, "by default Amazon and the organization's accounts"
}

func amiOwner(img snapshot.Image) string {
	if img.OwnerAlias != "" && img.OwnerAlias != img.OwnerID {
		return img.OwnerAlias + " (" + img.OwnerID + ")"
	}
	return img.OwnerID
}
