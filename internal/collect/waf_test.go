package collect

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// pagedWAF serves n web ACLs a page at a time and, like WAF, a marker even
// on the last page.
type pagedWAF struct {
	n     int
	err   error
	calls int
}

func (f *pagedWAF) ListWebACLs(_ context.Context, in *wafv2.ListWebACLsInput, _ ...func(*wafv2.Options)) (*wafv2.ListWebACLsOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	start := 0
	fmt.Sscan(aws.ToString(in.NextMarker), &start)
	var out wafv2.ListWebACLsOutput
	for i := start; i < f.n && i < start+int(aws.ToInt32(in.Limit)); i++ {
		out.WebACLs = append(out.WebACLs, waftypes.WebACLSummary{Name: aws.String(fmt.Sprint("acl", i))})
	}
	out.NextMarker = aws.String(fmt.Sprint(start + len(out.WebACLs)))
	return &out, nil
}

func TestWAFCollectorPagesAndDenials(t *testing.T) {
	task, snap := fakeTask(t, "wafv2", "us-east-1")
	f := &pagedWAF{n: wafPage + 1}
	collectWAF(context.Background(), task, f)
	if got := len(snap().Accounts[0].Regions["us-east-1"].WAF.WebACLs); got != wafPage+1 || f.calls != 2 {
		t.Fatalf("%d web ACLs in %d calls, want %d in 2", got, f.calls, wafPage+1)
	}

	task, snap = fakeTask(t, "wafv2", "us-east-1")
	collectWAF(context.Background(), task, &pagedWAF{err: errAccessDenied})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"wafv2:ListWebACLs"}) || snap().Accounts[0].Regions["us-east-1"].WAF != nil {
		t.Fatalf("recorded %v", got)
	}
}
