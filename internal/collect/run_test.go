package collect

import (
	"context"
	"testing"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/fixture"
	"github.com/secure-baseline/baseline/internal/testutil/moto"
)

func TestRunDiscoversOrganization(t *testing.T) {
	moto.Start(t)
	ctx := context.Background()
	org, err := fixture.CreateOrganization(ctx, moto.Config(t), []fixture.Member{
		{Name: "security", Email: "security@example.com", OU: "Security"},
		{Name: "workload", Email: "workload@example.com", OU: "Prod", Tags: map[string]string{"owner": "team-a"}},
		{Name: "sandbox", Email: "sandbox@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := awsx.NewSessions(ctx, awsx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Run(ctx, ss, Options{Org: true, Regions: []string{"us-east-1"}, Services: []string{"none"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(snap.Accounts); got != 4 {
		t.Fatalf("accounts = %d, want 4 (management + 3)", got)
	}
	if snap.Organization == nil || snap.Organization.ID != org.ID || !snap.Organization.Full {
		t.Fatalf("organization = %+v, want id %s read in full", snap.Organization, org.ID)
	}
	w := snap.Account(org.AccountID("workload"))
	if w == nil || w.OUPath != "/Prod" || w.Category != "prod" || w.Tags["owner"] != "team-a" {
		t.Fatalf("workload account = %+v", w)
	}
	if s := snap.Account(org.AccountID("security")); s == nil || s.Category != "security" {
		t.Fatalf("security account = %+v", s)
	}
	for _, e := range snap.Errors {
		t.Errorf("unexpected read error: %+v", e)
	}
}
