package controls

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

var _ = catalog.Register(&catalog.Control{
	ID:       "s3.account-public-access-block",
	Title:    "All four account-level S3 Block Public Access settings are on",
	Stage:    "F3",
	Kind:     catalog.Automated,
	Scope:    catalog.ScopeAccount,
	Unit:     catalog.PerAccount,
	Severity: catalog.High,
	CIS:      []string{"3.1.4"},
	Rationale: "Account-level Block Public Access overrides every bucket and object: no policy or ACL mistake, " +
		"present or future, can make data public. Exposing data then takes a deliberate exception.",
	Steps: "Console: S3 > Block Public Access settings for this account > Edit > Block all public access.\n" +
		"CLI: aws s3control put-public-access-block --account-id <account-id> --public-access-block-configuration " +
		"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
	Reads: []string{"s3control:GetPublicAccessBlock"},
	Check: func(e *catalog.Eval) {
		s := s3Of(e)
		if s == nil {
			return
		}
		p := s.AccountPublicAccessBlock
		if p == nil {
			e.Fail("", "account-level Block Public Access is not configured: turn on all four settings")
			return
		}
		var off []string
		for _, sw := range []struct {
			on   bool
			name string
		}{{p.BlockPublicAcls, "BlockPublicAcls"}, {p.IgnorePublicAcls, "IgnorePublicAcls"},
			{p.BlockPublicPolicy, "BlockPublicPolicy"}, {p.RestrictPublicBuckets, "RestrictPublicBuckets"}} {
			if !sw.on {
				off = append(off, sw.name)
			}
		}
		if len(off) > 0 {
			e.Fail("", "account-level Block Public Access has %s off: turn it on", strings.Join(off, ", "))
			return
		}
		e.Pass("", "all four account-level Block Public Access settings are on")
	},
	Fix: &catalog.Fix{
		Plan: func(p *catalog.Planner) {
			if len(failures(p)) == 0 {
				return
			}
			want := snapshot.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
			if cur := p.Account.Global.S3.AccountPublicAccessBlock; cur != nil {
				p.Here().Update("block", "account-public-access-block", *cur, want)
				return
			}
			p.Here().Create("block", "account-public-access-block", want)
		},
		Ops: map[string]catalog.Op{"block": func(ctx context.Context, cfg aws.Config, ch *catalog.Change) error {
			want, err := catalog.Decode[snapshot.PublicAccessBlock](ch.After)
			if err != nil {
				return err
			}
			return putAccountPublicAccessBlock(ctx, awsx.S3Control(cfg), ch.AccountID, want)
		}},
	},
})

type accountPublicAccessBlockWriter interface {
	PutPublicAccessBlock(context.Context, *s3control.PutPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.PutPublicAccessBlockOutput, error)
}

func putAccountPublicAccessBlock(ctx context.Context, c accountPublicAccessBlockWriter, account string, b snapshot.PublicAccessBlock) error {
	_, err := c.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
		PublicAccessBlockConfiguration: &s3controltypes.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(b.BlockPublicAcls), IgnorePublicAcls: aws.Bool(b.IgnorePublicAcls),
			BlockPublicPolicy: aws.Bool(b.BlockPublicPolicy), RestrictPublicBuckets: aws.Bool(b.RestrictPublicBuckets),
		}})
	return err
}
