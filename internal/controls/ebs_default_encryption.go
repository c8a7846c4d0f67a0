package controls

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/secure-baseline/baseline/internal/catalog"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "ebs.default-encryption",
	Title:    "EBS encryption by default in every enabled region",
	Stage:    "M3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeRegion,
	Unit:     catalog.PerRegion,
	Severity: catalog.Medium,
	CIS:      []string{"6.1.1"},
	Rationale: "With encryption by default every new volume and snapshot is encrypted, whoever creates it: no " +
		"unencrypted copy of disk data can be shared or leaked by accident, and no one has to remember a flag.",
	Steps: "Turn it on in every region (it is a per-region setting); optionally choose a customer-managed key.\n" +
		"Console: EC2 > Settings (Data protection and security) > EBS encryption > Manage > Enable.\n" +
		"CLI: aws ec2 enable-ebs-encryption-by-default --region <region>\n" +
		"     aws ec2 modify-ebs-default-kms-key-id --kms-key-id <key-arn> --region <region>   # optional",
	Reads: []string{"ec2:GetEbsEncryptionByDefault"},
	Check: func(e *catalog.Eval) {
		s := ec2Of(e)
		if s == nil {
			return
		}
		switch {
		case !s.EBSEncryptionByDefault:
			e.Fail("", "EBS encryption by default is off in %s: new volumes may be unencrypted", e.Region)
		case s.EBSDefaultKMSKey != "":
			e.Pass("", "EBS encryption by default is on in %s with key %s", e.Region, s.EBSDefaultKMSKey)
		default:
			e.Pass("", "EBS encryption by default is on in %s", e.Region)
		}
	},
	Fix: &catalog.Fix{
		// Encryption only: the key stays AWS's default unless someone chose
		// one, and then it stays theirs.
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) > 0 {
				p.Here().Update("enable", "ebs-encryption-by-default", false, true)
			}
		},
		Ops: map[string]catalog.Op{"enable": func(ctx context.Context, cfg aws.Config, _ *catalog.Change) error {
			return enableEBSEncryption(ctx, ec2.NewFromConfig(cfg))
		}},
	},
})

type ebsEncryptionWriter interface {
	EnableEbsEncryptionByDefault(context.Context, *ec2.EnableEbsEncryptionByDefaultInput, ...func(*ec2.Options)) (*ec2.EnableEbsEncryptionByDefaultOutput, error)
}

func enableEBSEncryption(ctx context.Context, c ebsEncryptionWriter) error {
	_, err := c.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{})
	return err
}
