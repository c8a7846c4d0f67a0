package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "wafv2", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectWAF(ctx, t, wafv2.NewFromConfig(t.Config))
	}})
}

// wafAPI lists the regional web ACLs, so that a finding about an unprotected
// load balancer can name the ACL to associate.
type wafAPI interface {
	ListWebACLs(context.Context, *wafv2.ListWebACLsInput, ...func(*wafv2.Options)) (*wafv2.ListWebACLsOutput, error)
}

// wafPage is the most items a WAF listing returns per call.
const wafPage = 100

func collectWAF(ctx context.Context, t *Task, api wafAPI) {
	s := &snapshot.WAF{}
	in := &wafv2.ListWebACLsInput{Scope: waftypes.ScopeRegional, Limit: aws.Int32(wafPage)}
	for {
		out, err := api.ListWebACLs(ctx, in)
		if t.Failed("ListWebACLs", err) {
			return
		}
		for _, a := range out.WebACLs {
			s.WebACLs = append(s.WebACLs, snapshot.WebACL{Name: aws.ToString(a.Name), Arn: aws.ToString(a.ARN)})
		}
		// WAF returns a marker even on its last page: a short page ends the listing.
		if aws.ToString(out.NextMarker) == "" || len(out.WebACLs) < wafPage {
			break
		}
		in.NextMarker = out.NextMarker
	}
	t.Account.Regions[t.Region].WAF = s
}
