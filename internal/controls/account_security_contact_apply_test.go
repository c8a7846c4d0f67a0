package controls

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
	"github.com/secure-baseline/baseline/internal/testutil/applytest"
	"github.com/secure-baseline/baseline/internal/testutil/audittest"
)

// The emulator has no GetContactInformation, where the phone number the
// SECURITY contact requires comes from: the fix converges against a fake of
// the account API instead.

// fakeContacts holds an account's alternate contacts.
type fakeContacts map[string]snapshot.Contact

func (f fakeContacts) PutAlternateContact(_ context.Context, in *account.PutAlternateContactInput, _ ...func(*account.Options)) (*account.PutAlternateContactOutput, error) {
	f[string(in.AlternateContactType)] = snapshot.Contact{Name: aws.ToString(in.Name), Title: aws.ToString(in.Title),
		Email: aws.ToString(in.EmailAddress), Phone: aws.ToString(in.PhoneNumber)}
	return &account.PutAlternateContactOutput{}, nil
}

const (
	contactMgmt   = "111111111111"
	contactMember = "222222222222"
	contactOther  = "333333333333"
)

// contactSnapshot is a management account whose primary contact has a phone
// number, a member without one, and a member whose SECURITY contact lacks
// an email.
func contactSnapshot(contacts map[string]fakeContacts) *snapshot.Snapshot {
	acct := func(id string, info *snapshot.ContactInfo) *snapshot.Account {
		return &snapshot.Account{AccountID: id, Global: snapshot.Global{Account: &snapshot.AccountSettings{
			AlternateContacts: contacts[id], ContactInfo: info}}}
	}
	return &snapshot.Snapshot{
		Organization:    &snapshot.Organization{ID: "o-1", ManagementAccountID: contactMgmt, Member: true},
		CallerAccountID: contactMgmt,
		Accounts: []*snapshot.Account{
			acct(contactMgmt, &snapshot.ContactInfo{Phone: "+1 555 0100"}),
			acct(contactMember, nil),
			acct(contactOther, &snapshot.ContactInfo{Phone: "+44 20 7946 0000"}),
		},
	}
}

func TestApplySecurityContactOnFakes(t *testing.T) {
	contacts := map[string]fakeContacts{contactMgmt: {}, contactMember: {},
		contactOther: {"SECURITY": {Name: "Sec", Phone: "+44 20 7946 0999"}}}
	s := fixTestSettings()
	p := planOn(t, contactSnapshot(contacts), s, "account.security-contact")
	phones := map[string]string{}
	for _, c := range p.Changes {
		want, err := catalog.Decode[snapshot.Contact](c.After)
		if err != nil || want.Email != "security@example.com" {
			t.Fatalf("%s: %+v (%v)", c.ID, want, err)
		}
		phones[c.AccountID] = want.Phone
		if err := putSecurityContact(context.Background(), contacts[c.AccountID], want); err != nil {
			t.Fatal(err)
		}
	}
	// Its own line, else the management account's; a phone the security
	// team already registered is kept.
	if phones[contactMgmt] != "+1 555 0100" || phones[contactMember] != "+1 555 0100" || phones[contactOther] != "+44 20 7946 0999" {
		t.Fatalf("phones: %v", phones)
	}
	if c := applytest.Changes(p, "|"+contactOther+"|"); len(c) != 1 || c[0].Action != catalog.Update {
		t.Fatalf("incomplete contact: %+v, want an update", c)
	}
	if again := planOn(t, contactSnapshot(contacts), s, "account.security-contact"); !again.Empty() {
		t.Fatalf("still planned: %+v", again.Changes)
	}
	res := audittest.Audit(t, contactSnapshot(contacts), s, "account.security-contact")
	audittest.Expect(t, res, "account.security-contact", contactMember, "", "", catalog.StatusPass, "security@example.com")
}

func TestPlanSecurityContactBlocks(t *testing.T) {
	noEmail := fixTestSettings()
	noEmail.AlertEmails = nil
	p := planOn(t, contactSnapshot(nil), noEmail, "account.security-contact")
	if len(p.Changes) != 0 || len(p.Blocked) != 3 || !strings.Contains(p.Blocked[0].Reason, "alerts.emails") {
		t.Fatalf("without an alert email: %+v %+v", p.Changes, p.Blocked)
	}

	// No phone anywhere, because the primary contacts could not be read.
	snap := contactSnapshot(nil)
	for _, a := range snap.Accounts {
		a.Global.Account.ContactInfo = nil
		snap.Errors = append(snap.Errors, snapshot.Error{AccountID: a.AccountID, Service: "account", Operation: "GetContactInformation",
			Code: "AccessDeniedException", Class: "access_denied"})
	}
	p = planOn(t, snap, fixTestSettings(), "account.security-contact")
	if len(p.Changes) != 0 || len(p.Blocked) != 3 || !strings.Contains(p.Blocked[0].Reason, "access denied to account:GetContactInformation") {
		t.Fatalf("without a phone number: %+v %+v", p.Changes, p.Blocked)
	}
}
