package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "securityhub", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectSecurityHub(ctx, t, securityhub.NewFromConfig(t.Config))
	}})
}

// securityHubAPI is the read-only part of Security Hub we call.
type securityHubAPI interface {
	DescribeHub(context.Context, *securityhub.DescribeHubInput, ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error)
	GetEnabledStandards(context.Context, *securityhub.GetEnabledStandardsInput, ...func(*securityhub.Options)) (*securityhub.GetEnabledStandardsOutput, error)
	GetAdministratorAccount(context.Context, *securityhub.GetAdministratorAccountInput, ...func(*securityhub.Options)) (*securityhub.GetAdministratorAccountOutput, error)
}

// collectSecurityHub reads whether the hub is on and, only when it is, its
// standards and administrator.
func collectSecurityHub(ctx context.Context, t *Task, api securityHubAPI) {
	out, err := api.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	if hubNotEnabled(err) {
		t.Account.Regions[t.Region].SecurityHub = &snapshot.SecurityHub{}
		return
	}
	if t.Failed("DescribeHub", err) {
		return
	}
	sh := &snapshot.SecurityHub{Enabled: true, HubArn: aws.ToString(out.HubArn)}
	t.Fan(ctx, 2, func(ctx context.Context, i int) {
		if i == 1 {
			adm, err := api.GetAdministratorAccount(ctx, &securityhub.GetAdministratorAccountInput{})
			if !t.Failed("GetAdministratorAccount", err) && adm.Administrator != nil {
				sh.AdminAccountID = aws.ToString(adm.Administrator.AccountId)
			}
			return
		}
		p := securityhub.NewGetEnabledStandardsPaginator(api, &securityhub.GetEnabledStandardsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if t.Failed("GetEnabledStandards", err) {
				sh.Standards = nil
				return
			}
			for _, s := range page.StandardsSubscriptions {
				sh.Standards = append(sh.Standards, snapshot.Standard{Arn: aws.ToString(s.StandardsArn), Status: string(s.StandardsStatus)})
			}
		}
	})
	t.Account.Regions[t.Region].SecurityHub = sh
}

// hubNotEnabled recognises Security Hub's way of saying it is off:
// InvalidAccessException "Account ... is not subscribed to AWS Security Hub".
func hubNotEnabled(err error) bool {
	return awsx.Code(err) == "InvalidAccessException" && strings.Contains(awsx.Message(err), "not subscribed")
}
